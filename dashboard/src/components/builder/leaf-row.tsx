// One condition of the builder: what it tests, the operator that fits its type, the operand.
import {
  EXPERIENCE_ACTIONS, FIELD_KIND, FIELD_LABEL, KIND_OPERATORS, TEXT_OPERATORS, operandOf, operatorLabel,
  type Kind, type Leaf, type Operator,
} from '../../condition-model'
import { IconX } from '../icons'
import { attributeType, useBuilderData } from './builder-data'
import { EventLeafRow } from './event-leaf'
import { TagChoice } from './tag-choice'
import { ValueInput } from './value-input'

type Props = { leaf: Leaf; onChange: (l: Leaf) => void; onRemove: () => void }

export function LeafRow({ leaf, onChange, onRemove }: Props) {
  const data = useBuilderData()
  return (
    <div class="leaf" role="group" aria-label="Condition">
      <div class="leaf-main">{body(leaf, onChange, data)}</div>
      {!data.readOnly && (
        <button type="button" class="icon-btn leaf-remove" aria-label="Remove condition" onClick={onRemove}><IconX /></button>
      )}
    </div>
  )
}

function body(leaf: Leaf, onChange: (l: Leaf) => void, data: ReturnType<typeof useBuilderData>) {
  const ro = data.readOnly
  switch (leaf.type) {
    case 'property': {
      const label = FIELD_LABEL[leaf.field]
      return <OperatorLeaf subject={label} category="Property" kinds={[FIELD_KIND[leaf.field]]} leaf={leaf} onChange={onChange} disabled={ro} />
    }
    case 'attribute': {
      const known = attributeType(data, leaf.key)
      return <OperatorLeaf subject={leaf.key} category="Attribute" kinds={known ? [known] : ['string', 'number', 'boolean', 'date', 'list']} leaf={leaf} onChange={onChange} disabled={ro} />
    }
    case 'tag':
      return (
        <>
          <Subject category="Property" text="Tags" />
          <select class="select" aria-label="Tags operator" value={leaf.operator} disabled={ro} onChange={(e) => onChange({ ...leaf, operator: e.currentTarget.value as 'has_any' })}>
            <option value="has_any">contain any of</option>
            <option value="has_none">contain none of</option>
          </select>
          <TagChoice ids={leaf.tagIds} onChange={(tagIds) => onChange({ ...leaf, tagIds })} disabled={ro} />
        </>
      )
    case 'segment':
      return (
        <>
          <Subject category="Segment" text="Segment" />
          <select class="select" aria-label="Segment operator" value={leaf.operator} disabled={ro} onChange={(e) => onChange({ ...leaf, operator: e.currentTarget.value as 'in' })}>
            <option value="in">is in</option>
            <option value="not_in">is not in</option>
          </select>
          <select class="select" aria-label="Segment" value={String(leaf.segmentId)} disabled={ro} onChange={(e) => onChange({ ...leaf, segmentId: Number(e.currentTarget.value) })}>
            <option value="0" disabled>Pick a segment…</option>
            {data.segments.filter((s) => s.id !== data.selfId).map((s) => <option key={s.id} value={String(s.id)}>{s.name}</option>)}
          </select>
        </>
      )
    case 'experience':
      return (
        <>
          <Subject category="Experience" text="User" />
          <select class="select" aria-label="Experience action" value={leaf.action} disabled={ro} onChange={(e) => onChange({ ...leaf, action: e.currentTarget.value as 'seen', answer: e.currentTarget.value === 'answered' ? leaf.answer : undefined })}>
            {EXPERIENCE_ACTIONS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
          </select>
          <input class="input value" list="jimer-experiences" value={leaf.experience} placeholder="experience id" aria-label="Experience" disabled={ro} onInput={(e) => onChange({ ...leaf, experience: e.currentTarget.value })} />
          {leaf.action === 'answered' && (
            <>
              <span class="muted">with</span>
              <input class="input value" value={leaf.answer ?? ''} placeholder="any answer" aria-label="Answer" disabled={ro} onInput={(e) => onChange({ ...leaf, answer: e.currentTarget.value || undefined })} />
              <CaseToggle on={!!leaf.caseSensitive} onChange={(caseSensitive) => onChange({ ...leaf, caseSensitive })} disabled={ro} />
            </>
          )}
        </>
      )
    case 'event':
      return <EventLeafRow leaf={leaf} onChange={onChange} />
  }
}

export function Subject({ category, text }: { category: string; text: string }) {
  return (
    <span class="subject" title={category}>
      <span class="subject-cat">{category}</span>
      <span class="subject-name">{text}</span>
    </span>
  )
}

const KIND_NAME: Record<Kind, string> = { string: 'Text', number: 'Number', boolean: 'Yes / no', date: 'Date', list: 'List' }

type OperatorLeafT = Extract<Leaf, { type: 'property' | 'attribute' }>

/** A property or attribute: operators grouped by type when the type is not known. */
function OperatorLeaf({ subject, category, kinds, leaf, onChange, disabled }: { subject: string; category: string; kinds: Kind[]; leaf: OperatorLeafT; onChange: (l: Leaf) => void; disabled?: boolean }) {
  const offered = kinds.flatMap((k) => KIND_OPERATORS[k])
  const setOperator = (op: Operator) => {
    // The operand carries over only when it has the same shape.
    const keep = operandOf(op) === operandOf(leaf.operator)
    onChange({ ...leaf, operator: op, value: keep ? leaf.value : undefined })
  }
  return (
    <>
      <Subject category={category} text={subject} />
      <select class="select" aria-label={`${subject} operator`} value={leaf.operator} disabled={disabled} onChange={(e) => setOperator(e.currentTarget.value as Operator)}>
        {!offered.includes(leaf.operator) && <option value={leaf.operator}>{operatorLabel(leaf.operator)}</option>}
        {kinds.length === 1
          ? KIND_OPERATORS[kinds[0]].map((op) => <option key={op} value={op}>{operatorLabel(op)}</option>)
          : kinds.map((k) => (
              <optgroup key={k} label={KIND_NAME[k]}>
                {KIND_OPERATORS[k].filter((op) => k === 'string' || (op !== 'is_set' && op !== 'is_not_set')).map((op) => <option key={k + op} value={op}>{operatorLabel(op)}</option>)}
              </optgroup>
            ))}
      </select>
      <ValueInput operator={leaf.operator} value={leaf.value} label={subject} disabled={disabled} onChange={(value) => onChange({ ...leaf, value })} />
      {TEXT_OPERATORS.includes(leaf.operator) && <CaseToggle on={!!leaf.caseSensitive} onChange={(caseSensitive) => onChange({ ...leaf, caseSensitive })} disabled={disabled} />}
    </>
  )
}

/** "Aa": case-sensitive matching; off by default (F-24). */
export function CaseToggle({ on, onChange, disabled }: { on: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <button type="button" class={on ? 'case-toggle on' : 'case-toggle'} aria-pressed={on} disabled={disabled} title={on ? 'Case-sensitive' : 'Case-insensitive'} aria-label="Match case" onClick={() => onChange(!on)}>
      Aa
    </button>
  )
}
