import type { ConditionTree, Leaf, Node } from './condition.js'
import type { UserFacts } from './facts.js'
import type { EvalContext } from './library.js'
import { runLeaf } from './leaf-js.js'
import { OPERATORS } from './operators.js'

export interface ExplainLeaf { kind: 'leaf'; label: string; actual: unknown; threshold: unknown; pass: boolean }
export interface ExplainGroup { kind: 'group'; logic: 'and' | 'or'; pass: boolean; decision: string; children: ExplainNode[] }
export type ExplainNode = ExplainLeaf | ExplainGroup

/**
 * Why a user is or is not in a tree (F-36): every leaf with a label such as
 * "sum(order_placed.total) ≥ 500", the user's actual value, the threshold and pass/fail,
 * and how each group decided. Nothing short-circuits, so failing conditions all show.
 * Leaves run through the same code as evaluate, so the two cannot disagree.
 */
export function explain(tree: ConditionTree, facts: UserFacts, ctx: EvalContext): ExplainGroup {
  const inSegment = (id: number): boolean => {
    const s = ctx.segments.get(id)
    if (!s) return false
    return s.kind === 'static' || !s.tree ? facts.staticSegments.includes(id) : node(s.tree.root).pass
  }
  const node = (n: Node): ExplainNode => {
    if (n.type !== 'group') {
      const { actual, pass } = runLeaf(n, facts, ctx, inSegment)
      return { kind: 'leaf', label: labelOf(n, ctx), actual: actual ?? null, threshold: thresholdOf(n), pass }
    }
    const children = n.conditions.map(node)
    const passed = children.filter((c) => c.pass).length
    const pass = n.logic === 'and' ? passed === children.length : passed > 0
    const decision = `${passed} of ${children.length} passed; ${n.logic === 'and' ? 'all' : 'any one'} needed`
    return { kind: 'group', logic: n.logic, pass, decision, children }
  }
  return node(tree.root) as ExplainGroup
}

const FIELD_LABEL: Record<string, string> = {
  name: 'Name', email: 'Email', user_id: 'User id', jimer_id: 'Jimer ID', status: 'Status', created: 'Created',
  first_seen: 'First seen', last_seen: 'Last activity', sessions: 'Sessions', events_count: 'Events', identified: 'Identified',
}

function operand(value: unknown): string {
  if (value === undefined) return ''
  if (Array.isArray(value)) return ' ' + value.map((v) => JSON.stringify(v)).join(' and ')
  return ' ' + JSON.stringify(value)
}

/** A condition as a person reads it. */
export function labelOf(leaf: Leaf, ctx: EvalContext): string {
  switch (leaf.type) {
    case 'property':
      return `${FIELD_LABEL[leaf.field]} ${OPERATORS[leaf.operator].label}${operand(leaf.value)}`
    case 'attribute':
      return `${leaf.key} ${OPERATORS[leaf.operator].label}${operand(leaf.value)}`
    case 'tag':
      return `${leaf.operator === 'has_any' ? 'has any of' : 'has none of'} tags ${leaf.tagIds.map((id) => ctx.tagNames?.has(id) ? JSON.stringify(ctx.tagNames.get(id)) : `#${id}`).join(', ')}`
    case 'event': {
      const filters = (leaf.where ?? []).map((f) => ` where ${f.property} ${OPERATORS[f.operator].label}${operand(f.value)}`).join('')
      const w = leaf.window
      const window = !w ? '' : 'lastDays' in w ? ` in the last ${w.lastDays} days` : ` between ${w.from ? new Date(w.from).toISOString() : '…'} and ${w.to ? new Date(w.to).toISOString() : '…'}`
      if (leaf.measure === 'did') return `did ${leaf.event}${filters}${window}`
      if (leaf.measure === 'did_not') return `did not ${leaf.event}${filters}${window}`
      const subject = leaf.measure === 'count' ? `count(${leaf.event})` : `${leaf.measure}(${leaf.event}.${leaf.property})`
      return `${subject}${filters}${window} ${OPERATORS[leaf.operator!].label}${operand(leaf.value)}`
    }
    case 'experience':
      return `${leaf.action.replace('_', ' ')} ${leaf.experience}${leaf.answer !== undefined ? ` with ${JSON.stringify(leaf.answer)}` : ''}`
    case 'segment':
      return `${leaf.operator === 'in' ? 'in' : 'not in'} segment ${JSON.stringify(ctx.segments.get(leaf.segmentId)?.name ?? `#${leaf.segmentId}`)}`
  }
}

function thresholdOf(leaf: Leaf): unknown {
  switch (leaf.type) {
    case 'property': case 'attribute': return leaf.value ?? null
    case 'tag': return leaf.tagIds
    case 'event': return leaf.measure === 'did' ? 1 : leaf.measure === 'did_not' ? 0 : leaf.value
    case 'experience': return leaf.answer ?? null
    case 'segment': return leaf.segmentId
  }
}
