// The condition tree as the builder edits it. The types come from the engine
// (worker/src/segments/condition.ts, type-only: nothing of zod reaches the bundle); the
// operator tables are mirrored here, checked against the engine's by `satisfies` for the
// keys and by test/unit/dashboard-condition-model.test.ts for the lists.
import type { ConditionTree, Group, Kind, Leaf, Node, PropertyField } from '../../worker/src/segments/condition'
import type { Operator } from '../../worker/src/segments/operators'

export type { ConditionTree, Group, Kind, Leaf, Node, Operator, PropertyField }

export const KIND_OPERATORS: Record<Kind, Operator[]> = {
  string: ['is', 'is_not', 'contains', 'not_contains', 'starts_with', 'ends_with', 'is_one_of', 'matches', 'is_set', 'is_not_set'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_set', 'is_not_set'],
  boolean: ['is_true', 'is_false', 'is_set', 'is_not_set'],
  date: ['before', 'after', 'date_between', 'more_than_days_ago', 'less_than_days_ago', 'within_next_days', 'is_set', 'is_not_set'],
  list: ['list_contains', 'list_not_contains', 'list_is_empty', 'list_is_not_empty', 'is_set', 'is_not_set'],
}

/** The operand widget each operator needs. */
export type Operand = 'text' | 'texts' | 'none' | 'number' | 'numbers' | 'date' | 'dates' | 'days'

/** How an operator reads in a menu, and what it takes. */
export const OPERATOR_UI = {
  is: ['is', 'text'], is_not: ['is not', 'text'], contains: ['contains', 'text'], not_contains: ['does not contain', 'text'],
  starts_with: ['starts with', 'text'], ends_with: ['ends with', 'text'], is_one_of: ['is one of', 'texts'], matches: ['matches regex', 'text'],
  is_set: ['is set', 'none'], is_not_set: ['is not set', 'none'],
  eq: ['=', 'number'], neq: ['≠', 'number'], gt: ['>', 'number'], gte: ['≥', 'number'], lt: ['<', 'number'], lte: ['≤', 'number'], between: ['between', 'numbers'],
  is_true: ['is true', 'none'], is_false: ['is false', 'none'],
  before: ['before', 'date'], after: ['after', 'date'], date_between: ['between', 'dates'],
  more_than_days_ago: ['more than … days ago', 'days'], less_than_days_ago: ['less than … days ago', 'days'], within_next_days: ['within the next … days', 'days'],
  list_contains: ['contains', 'text'], list_not_contains: ['does not contain', 'text'], list_is_empty: ['is empty', 'none'], list_is_not_empty: ['is not empty', 'none'],
} as const satisfies Record<Operator, readonly [string, Operand]>

export const operatorLabel = (op: Operator) => OPERATOR_UI[op][0]
export const operandOf = (op: Operator): Operand => OPERATOR_UI[op][1]
/** Operators that compare text, where the "Aa" case toggle means something. */
export const TEXT_OPERATORS: Operator[] = ['is', 'is_not', 'contains', 'not_contains', 'starts_with', 'ends_with', 'is_one_of', 'matches', 'list_contains', 'list_not_contains']

export const FIELD_KIND: Record<PropertyField, Kind> = {
  name: 'string', email: 'string', user_id: 'string', jimer_id: 'string', status: 'string',
  created: 'date', first_seen: 'date', last_seen: 'date', sessions: 'number', events_count: 'number', identified: 'boolean',
}
export const FIELD_LABEL: Record<PropertyField, string> = {
  name: 'Name', email: 'Email', user_id: 'User id', jimer_id: 'Jimer ID', status: 'Status', created: 'Created',
  first_seen: 'First seen', last_seen: 'Last activity', sessions: 'Sessions', events_count: 'Events', identified: 'Identified',
}
/** The order Properties are offered in (Jimo's: Name, Email, Last activity, Created, Sessions, …). */
export const PROPERTY_ORDER: PropertyField[] = ['name', 'email', 'last_seen', 'created', 'sessions', 'user_id', 'jimer_id', 'first_seen', 'events_count', 'identified', 'status']

export const MEASURES = [['did', 'did'], ['did_not', 'did not do'], ['count', 'count of'], ['sum', 'sum of'], ['avg', 'average of'], ['min', 'minimum of'], ['max', 'maximum of']] as const
export type Measure = (typeof MEASURES)[number][0]
export const COMPARE_OPERATORS: Operator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']
export const EXPERIENCE_ACTIONS = [['seen', 'has seen'], ['not_seen', 'has not seen'], ['completed', 'completed'], ['dismissed', 'dismissed'], ['answered', 'answered']] as const

export const emptyTree = (): ConditionTree => ({ version: 1, root: { type: 'group', logic: 'and', conditions: [] } })
export const leafCount = (n: Node): number => (n.type === 'group' ? n.conditions.reduce((s, c) => s + leafCount(c), 0) : 1)

/** A path of indices from the root group to a node. */
export type Path = number[]

export function nodeAt(root: Group, path: Path): Node {
  return path.reduce<Node>((n, i) => (n as Group).conditions[i], root)
}

/** A new root with `fn` applied to the node at `path` (null removes it). */
export function updateAt(root: Group, path: Path, fn: (n: Node) => Node | null): Group {
  if (!path.length) return (fn(root) as Group | null) ?? { ...root, conditions: [] }
  const [head, ...rest] = path
  const conditions = root.conditions.flatMap((child, i) => {
    if (i !== head) return [child]
    const next = rest.length ? updateAt(child as Group, rest, fn) : fn(child)
    return next ? [next] : []
  })
  return { ...root, conditions }
}

/** Drops empty groups: the server would read an empty AND as "everyone". */
export function prune(g: Group): Group {
  return { ...g, conditions: g.conditions.map((c) => (c.type === 'group' ? prune(c) : c)).filter((c) => c.type !== 'group' || c.conditions.length > 0) }
}

const missing = (v: unknown) => v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v))

/** What is still missing in an operator's operand, or null when it is complete. */
export function operandProblem(op: Operator, value: unknown): string | null {
  switch (operandOf(op)) {
    case 'none': return null
    case 'texts': return Array.isArray(value) && value.length ? null : 'add at least one value'
    case 'numbers': case 'dates': return Array.isArray(value) && value.length === 2 && !value.some(missing) ? null : 'fill in both ends'
    default: return missing(value) ? 'fill in a value' : null
  }
}

/** The first incomplete condition, said plainly, or null when the tree can be applied. */
export function treeProblem(n: Node): string | null {
  if (n.type === 'group') {
    for (const c of n.conditions) {
      const p = treeProblem(c)
      if (p) return p
    }
    return null
  }
  switch (n.type) {
    case 'property': case 'attribute': {
      if (n.type === 'attribute' && !n.key) return 'Pick an attribute'
      const p = operandProblem(n.operator, n.value)
      return p && `${n.type === 'property' ? FIELD_LABEL[n.field] : n.key}: ${p}`
    }
    case 'tag': return n.tagIds.length ? null : 'Tags: pick at least one tag'
    case 'segment': return n.segmentId > 0 ? null : 'Segment: pick a segment'
    case 'experience': return n.experience ? null : 'Experience: pick an experience'
    case 'event': {
      if (!n.event) return 'Event: pick an event'
      if (['sum', 'avg', 'min', 'max'].includes(n.measure) && !n.property) return `${n.event}: name the property to aggregate`
      if (n.measure !== 'did' && n.measure !== 'did_not') {
        const p = operandProblem(n.operator ?? 'gte', n.value)
        if (p) return `${n.event}: ${p}`
      }
      for (const f of n.where ?? []) {
        if (!f.property) return `${n.event}: name the property of each "where"`
        const p = operandProblem(f.operator, f.value)
        if (p) return `${n.event} where ${f.property}: ${p}`
      }
      return null
    }
  }
}
