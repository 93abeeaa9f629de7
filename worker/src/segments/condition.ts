import { z } from 'zod'
import { OPERATORS, type Operator } from './operators.js'
import { regexProblem } from './regex.js'
import { hasLoneSurrogate, parseSqliteDate } from './values.js'

/**
 * The condition tree (versioned JSON). Groups combine with `and` / `or` and nest; leaves
 * test one thing about a user. Every interpreter (evaluate, to-sql, explain) walks this
 * one tree.
 *
 * @example
 * { version: 1, root: { type: 'group', logic: 'and', conditions: [
 *   { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' },
 *   { type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500, window: { lastDays: 30 } },
 * ] } }
 */
export const CONDITION_VERSION = 1
export const MAX_DEPTH = 8
export const MAX_LEAVES = 100

const DAY = 86_400_000
// Strings compare as UTF-8 in SQLite: a lone surrogate cannot be written there as it is.
const wellFormed = z.string().refine((s) => !hasLoneSurrogate(s), 'must be well-formed Unicode (no lone surrogate)')
const text = wellFormed.max(1000)
const key = wellFormed.min(1).max(255)

/**
 * Dates in conditions are epoch milliseconds or ISO 8601 strings, stored as milliseconds.
 * Text is read as SQLite reads a date value (a time without an offset is UTC), not by
 * Date.parse, which takes it as the server's local time (Node) or UTC (Workers).
 */
const date = z.union([z.number().int(), z.string().max(64)]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : (parseSqliteDate(v) ?? Date.parse(v))
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be a date (ISO 8601 or epoch milliseconds)' })
    return z.NEVER
  }
  return ms
})
const days = z.number().int().min(0).max(36_500)
const finite = z.number().refine(Number.isFinite, 'must be a finite number')

/** The operand each operator takes. */
export const OPERAND = {
  is: text, is_not: text, contains: text.min(1), not_contains: text.min(1), starts_with: text.min(1), ends_with: text.min(1),
  is_one_of: z.array(text).min(1).max(500),
  matches: text.min(1),
  is_set: z.undefined(), is_not_set: z.undefined(),
  eq: finite, neq: finite, gt: finite, gte: finite, lt: finite, lte: finite,
  between: z.tuple([finite, finite]),
  is_true: z.undefined(), is_false: z.undefined(),
  before: date, after: date, date_between: z.tuple([date, date]),
  more_than_days_ago: days, less_than_days_ago: days, within_next_days: days,
  list_contains: text, list_not_contains: text, list_is_empty: z.undefined(), list_is_not_empty: z.undefined(),
} satisfies Record<Operator, z.ZodType>

export type Operand<O extends Operator> = z.output<(typeof OPERAND)[O]>

const compare = { operator: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']), value: z.union([finite, z.tuple([finite, finite])]) }

const leafBase = { caseSensitive: z.boolean().optional() }
const operatorLeaf = { ...leafBase, operator: z.enum(Object.keys(OPERATORS) as [Operator, ...Operator[]]), value: z.unknown().optional() }

export const PROPERTY_FIELDS = ['name', 'email', 'user_id', 'jimer_id', 'status', 'created', 'first_seen', 'last_seen', 'sessions', 'events_count', 'identified'] as const
export type PropertyField = (typeof PROPERTY_FIELDS)[number]

const propertyFilter = z.object({ property: key, ...operatorLeaf })

export const leafSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('property'), field: z.enum(PROPERTY_FIELDS), ...operatorLeaf }),
  z.object({ type: z.literal('attribute'), key, ...operatorLeaf }),
  z.object({ type: z.literal('tag'), operator: z.enum(['has_any', 'has_none']), tagIds: z.array(z.number().int()).min(1).max(100) }),
  z.object({
    type: z.literal('event'),
    event: wellFormed.min(1).max(200),
    measure: z.enum(['did', 'did_not', 'count', 'sum', 'avg', 'min', 'max']),
    property: key.optional(),
    operator: compare.operator.optional(),
    value: compare.value.optional(),
    window: z.union([z.object({ lastDays: days.min(1) }), z.object({ from: date.optional(), to: date.optional() })]).optional(),
    where: z.array(propertyFilter).max(10).optional(),
  }),
  z.object({
    type: z.literal('experience'),
    experience: wellFormed.min(1).max(255),
    action: z.enum(['seen', 'not_seen', 'completed', 'dismissed', 'answered']),
    answer: text.optional(),
    ...leafBase,
  }),
  z.object({ type: z.literal('segment'), operator: z.enum(['in', 'not_in']), segmentId: z.number().int() }),
])

export type Leaf = z.output<typeof leafSchema>
/** An event condition (did, count, sum…): read by evaluate, to-sql and the columns alike. */
export type EventLeaf = Extract<Leaf, { type: 'event' }>
export type PropertyFilter = z.output<typeof propertyFilter>
export interface Group { type: 'group'; logic: 'and' | 'or'; conditions: Node[] }
export type Node = Group | Leaf
export interface ConditionTree { version: 1; root: Group }

const nodeSchema: z.ZodType<Node> = z.lazy(() => z.union([groupSchema, leafSchema]))
const groupSchema: z.ZodType<Group> = z.object({ type: z.literal('group'), logic: z.enum(['and', 'or']), conditions: z.array(nodeSchema).max(MAX_LEAVES) })

export const treeSchema = z.object({ version: z.literal(CONDITION_VERSION), root: groupSchema }).transform((tree, ctx) => {
  let leaves = 0
  const walk = (node: Node, depth: number, path: (string | number)[]) => {
    if (node.type === 'group') {
      if (depth > MAX_DEPTH) ctx.addIssue({ code: 'custom', message: `groups nest at most ${MAX_DEPTH} deep`, path })
      node.conditions.forEach((c, i) => walk(c, depth + 1, [...path, 'conditions', i]))
      return
    }
    leaves++
    const problem = leafProblem(node)
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: [...path, ...problem.path] })
  }
  walk(tree.root, 1, ['root'])
  if (leaves > MAX_LEAVES) ctx.addIssue({ code: 'custom', message: `a tree holds at most ${MAX_LEAVES} conditions`, path: ['root'] })
  return tree as ConditionTree
})

/** Checks what the union cannot: the operand fits the operator, the operator fits the field. */
function leafProblem(leaf: Leaf): { message: string; path: (string | number)[] } | undefined {
  // Validates an operand and stores it parsed (dates become epoch ms) on its holder.
  const operand = (operator: Operator, holder: { value?: unknown; caseSensitive?: boolean }, path: (string | number)[] = []) => {
    const r = OPERAND[operator].safeParse(holder.value)
    if (!r.success) return { message: `value ${r.error.issues[0].message} for ${operator}`, path: [...path, 'value'] }
    if (operator === 'matches') {
      const problem = regexProblem(r.data as string, holder.caseSensitive ?? false)
      if (problem) return { message: `value ${problem}`, path: [...path, 'value'] }
    }
    holder.value = r.data
  }
  switch (leaf.type) {
    case 'property': {
      const kind = FIELD_KIND[leaf.field]
      if (!KIND_OPERATORS[kind].includes(leaf.operator)) return { message: `${leaf.field} takes ${KIND_OPERATORS[kind].join(', ')}`, path: ['operator'] }
      return operand(leaf.operator, leaf)
    }
    case 'attribute':
      return operand(leaf.operator, leaf)
    case 'event': {
      const needsProperty = ['sum', 'avg', 'min', 'max'].includes(leaf.measure)
      if (needsProperty && !leaf.property) return { message: `${leaf.measure} needs the numeric property to aggregate`, path: ['property'] }
      const needsCompare = leaf.measure !== 'did' && leaf.measure !== 'did_not'
      if (needsCompare && (!leaf.operator || leaf.value === undefined)) return { message: `${leaf.measure} needs an operator and a value`, path: ['operator'] }
      if (needsCompare) {
        const p = operand(leaf.operator!, leaf)
        if (p) return p
      }
      for (const [i, f] of (leaf.where ?? []).entries()) {
        const p = operand(f.operator, f, ['where', i])
        if (p) return p
      }
      return
    }
  }
}

/** What kind of value each native property holds, and so which operators it takes. */
export const FIELD_KIND = {
  name: 'string', email: 'string', user_id: 'string', jimer_id: 'string', status: 'string',
  created: 'date', first_seen: 'date', last_seen: 'date', sessions: 'number', events_count: 'number', identified: 'boolean',
} as const satisfies Record<PropertyField, Kind>

export type Kind = 'string' | 'number' | 'boolean' | 'date' | 'list'
export const KIND_OPERATORS: Record<Kind, Operator[]> = {
  string: ['is', 'is_not', 'contains', 'not_contains', 'starts_with', 'ends_with', 'is_one_of', 'matches', 'is_set', 'is_not_set'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_set', 'is_not_set'],
  boolean: ['is_true', 'is_false', 'is_set', 'is_not_set'],
  date: ['before', 'after', 'date_between', 'more_than_days_ago', 'less_than_days_ago', 'within_next_days', 'is_set', 'is_not_set'],
  list: ['list_contains', 'list_not_contains', 'list_is_empty', 'list_is_not_empty', 'is_set', 'is_not_set'],
}

export { DAY }
