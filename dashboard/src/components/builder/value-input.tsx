// The operand of one condition, shaped by its operator: text, a list, a number, two
// numbers, a date, two dates, a number of days, or nothing.
import { useEffect, useState } from 'preact/hooks'
import { dateInputValue } from '../../format'
import { operandOf, type Operator } from '../../condition-model'

interface Props { operator: Operator; value: unknown; onChange: (v: unknown) => void; label: string; disabled?: boolean }

const num = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s)) ? undefined : Number(s))

export function ValueInput({ operator, value, onChange, label, disabled }: Props) {
  const pair = (Array.isArray(value) ? value : [undefined, undefined]) as unknown[]
  const setPair = (i: number, v: unknown) => onChange(i === 0 ? [v, pair[1]] : [pair[0], v])
  switch (operandOf(operator)) {
    case 'none':
      return null
    case 'text':
      return <input class="input value" value={typeof value === 'string' ? value : ''} placeholder="value" aria-label={`${label} value`} disabled={disabled} onInput={(e) => onChange(e.currentTarget.value)} />
    case 'texts':
      return <TextsInput value={value} onChange={onChange} label={label} disabled={disabled} />
    case 'number':
      return <input class="input value num" type="number" step="any" value={typeof value === 'number' ? value : ''} placeholder="0" aria-label={`${label} value`} disabled={disabled} onInput={(e) => onChange(num(e.currentTarget.value))} />
    case 'numbers':
      return (
        <span class="range">
          <input class="input value num" type="number" step="any" value={typeof pair[0] === 'number' ? pair[0] : ''} aria-label={`${label} from`} disabled={disabled} onInput={(e) => setPair(0, num(e.currentTarget.value))} />
          <span class="muted">and</span>
          <input class="input value num" type="number" step="any" value={typeof pair[1] === 'number' ? pair[1] : ''} aria-label={`${label} to`} disabled={disabled} onInput={(e) => setPair(1, num(e.currentTarget.value))} />
        </span>
      )
    case 'date':
      return <input class="input value" type="date" value={dateInputValue(value)} aria-label={`${label} date`} disabled={disabled} onInput={(e) => onChange(e.currentTarget.value || undefined)} />
    case 'dates':
      return (
        <span class="range">
          <input class="input value" type="date" value={dateInputValue(pair[0])} aria-label={`${label} from`} disabled={disabled} onInput={(e) => setPair(0, e.currentTarget.value || undefined)} />
          <span class="muted">and</span>
          <input class="input value" type="date" value={dateInputValue(pair[1])} aria-label={`${label} to`} disabled={disabled} onInput={(e) => setPair(1, e.currentTarget.value || undefined)} />
        </span>
      )
    case 'days':
      return (
        <span class="range">
          <input class="input value num" type="number" min={0} step={1} value={typeof value === 'number' ? value : ''} aria-label={`${label} days`} disabled={disabled} onInput={(e) => onChange(num(e.currentTarget.value))} />
          <span class="muted">days</span>
        </span>
      )
  }
}

/** Comma-separated values; the raw text is kept while typing so "a, " does not lose its comma. */
function TextsInput({ value, onChange, label, disabled }: { value: unknown; onChange: (v: unknown) => void; label: string; disabled?: boolean }) {
  const list = Array.isArray(value) ? (value as string[]) : []
  const [raw, setRaw] = useState(list.join(', '))
  const parse = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean)
  useEffect(() => {
    if (parse(raw).join('\u0000') !== list.join('\u0000')) setRaw(list.join(', '))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.join('\u0000')])
  return (
    <input
      class="input value wide"
      value={raw}
      placeholder="a, b, c"
      aria-label={`${label} values, separated by commas`}
      disabled={disabled}
      onInput={(e) => {
        setRaw(e.currentTarget.value)
        onChange(parse(e.currentTarget.value))
      }}
    />
  )
}
