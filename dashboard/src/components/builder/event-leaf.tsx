// An event condition: did / did not, or count / sum / avg / min / max of a property,
// compared to a value, within a window, with optional property filters (F-23).
import { COMPARE_OPERATORS, KIND_OPERATORS, MEASURES, operandOf, operatorLabel, type Leaf, type Measure, type Operator } from '../../condition-model'
import { dateInputValue } from '../../format'
import { IconPlus, IconX } from '../icons'
import { useBuilderData } from './builder-data'
import { CaseToggle, Subject } from './leaf-row'
import { ValueInput } from './value-input'

type EventLeaf = Extract<Leaf, { type: 'event' }>
type Filter = NonNullable<EventLeaf['where']>[number]

const WHERE_OPERATORS: Operator[] = [...KIND_OPERATORS.string, ...KIND_OPERATORS.number.filter((o) => o !== 'is_set' && o !== 'is_not_set'), 'is_true', 'is_false']

export function EventLeafRow({ leaf, onChange }: { leaf: EventLeaf; onChange: (l: Leaf) => void }) {
  const ro = useBuilderData().readOnly
  const compares = leaf.measure !== 'did' && leaf.measure !== 'did_not'
  const aggregates = compares && leaf.measure !== 'count'
  const w = leaf.window
  const windowKind = !w ? 'ever' : 'lastDays' in w ? 'last' : 'between'
  const setMeasure = (measure: Measure) => {
    const cmp = measure !== 'did' && measure !== 'did_not'
    onChange({
      ...leaf, measure,
      property: measure === 'count' || !cmp ? undefined : leaf.property,
      operator: cmp ? leaf.operator ?? 'gte' : undefined,
      value: cmp ? leaf.value : undefined,
    })
  }
  const setWhere = (where: Filter[]) => onChange({ ...leaf, where: where.length ? where : undefined })
  const where = leaf.where ?? []

  return (
    <div class="event-leaf">
      <div class="leaf-line">
        <Subject category="Event" text="User" />
        <select class="select" aria-label="Event measure" value={leaf.measure} disabled={ro} onChange={(e) => setMeasure(e.currentTarget.value as Measure)}>
          {MEASURES.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
        </select>
        <input class="input value" list="jimer-events" value={leaf.event} placeholder="event name" aria-label="Event name" disabled={ro} onInput={(e) => onChange({ ...leaf, event: e.currentTarget.value })} />
        {aggregates && (
          <>
            <span class="muted">.</span>
            <input class="input value" value={leaf.property ?? ''} placeholder="property (e.g. total)" aria-label="Property to aggregate" disabled={ro} onInput={(e) => onChange({ ...leaf, property: e.currentTarget.value || undefined })} />
          </>
        )}
        {compares && (
          <>
            <select class="select" aria-label="Comparison" value={leaf.operator ?? 'gte'} disabled={ro} onChange={(e) => {
              const op = e.currentTarget.value as Operator
              onChange({ ...leaf, operator: op as EventLeaf['operator'], value: operandOf(op) === operandOf(leaf.operator ?? 'gte') ? leaf.value : undefined })
            }}>
              {COMPARE_OPERATORS.map((op) => <option key={op} value={op}>{operatorLabel(op)}</option>)}
            </select>
            <ValueInput operator={leaf.operator ?? 'gte'} value={leaf.value} label="Event" disabled={ro} onChange={(value) => onChange({ ...leaf, value: value as EventLeaf['value'] })} />
          </>
        )}
      </div>
      <div class="leaf-line">
        <select class="select" aria-label="Time window" value={windowKind} disabled={ro} onChange={(e) => {
          const k = e.currentTarget.value
          onChange({ ...leaf, window: k === 'ever' ? undefined : k === 'last' ? { lastDays: 30 } : { from: Date.now() - 30 * 86_400_000, to: Date.now() } })
        }}>
          <option value="ever">ever</option>
          <option value="last">in the last</option>
          <option value="between">between</option>
        </select>
        {w && 'lastDays' in w && (
          <span class="range">
            <input class="input value num" type="number" min={1} value={w.lastDays} aria-label="Days" disabled={ro} onInput={(e) => onChange({ ...leaf, window: { lastDays: Math.max(1, Number(e.currentTarget.value) || 1) } })} />
            <span class="muted">days</span>
          </span>
        )}
        {w && !('lastDays' in w) && (
          <span class="range">
            <input class="input value" type="date" value={dateInputValue(w.from)} aria-label="From" disabled={ro} onInput={(e) => onChange({ ...leaf, window: { ...w, from: e.currentTarget.value ? Date.parse(e.currentTarget.value) : undefined } })} />
            <span class="muted">and</span>
            <input class="input value" type="date" value={dateInputValue(w.to)} aria-label="To" disabled={ro} onInput={(e) => onChange({ ...leaf, window: { ...w, to: e.currentTarget.value ? Date.parse(e.currentTarget.value) + 86_399_999 : undefined } })} />
          </span>
        )}
        {!ro && where.length < 10 && (
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => setWhere([...where, { property: '', operator: 'is', value: undefined }])}>
            <IconPlus size={14} /> where
          </button>
        )}
      </div>
      {where.map((f, i) => (
        <div class="leaf-line where" key={i}>
          <span class="muted">where</span>
          <input class="input value" value={f.property} placeholder="property" aria-label="Filter property" disabled={ro} onInput={(e) => setWhere(where.map((x, j) => (j === i ? { ...x, property: e.currentTarget.value } : x)))} />
          <select class="select" aria-label="Filter operator" value={f.operator} disabled={ro} onChange={(e) => {
            const op = e.currentTarget.value as Operator
            setWhere(where.map((x, j) => (j === i ? { ...x, operator: op, value: operandOf(op) === operandOf(x.operator) ? x.value : undefined } : x)))
          }}>
            {WHERE_OPERATORS.map((op) => <option key={op} value={op}>{operatorLabel(op)}</option>)}
          </select>
          <ValueInput operator={f.operator} value={f.value} label="Filter" disabled={ro} onChange={(value) => setWhere(where.map((x, j) => (j === i ? { ...x, value } : x)))} />
          {['is', 'is_not', 'contains', 'not_contains', 'starts_with', 'ends_with', 'is_one_of', 'matches'].includes(f.operator) && (
            <CaseToggle on={!!f.caseSensitive} disabled={ro} onChange={(caseSensitive) => setWhere(where.map((x, j) => (j === i ? { ...x, caseSensitive } : x)))} />
          )}
          {!ro && <button type="button" class="icon-btn" aria-label="Remove filter" onClick={() => setWhere(where.filter((_, j) => j !== i))}><IconX size={14} /></button>}
        </div>
      ))}
    </div>
  )
}
