// A condition tree in words, for the segment history's diffs: each condition read with the
// builder's own labels (FIELD_LABEL, operatorLabel, MEASURES, EXPERIENCE_ACTIONS), and two
// versions compared as sentences added and removed, so a reader sees "added: country is FR"
// rather than two JSON blobs.
import { EXPERIENCE_ACTIONS, FIELD_LABEL, MEASURES, operatorLabel, type Group, type Leaf, type Node, type Operator } from './condition-model'

export interface Names { tags: Map<number, string>; segments: Map<number, string> }

const quote = (v: unknown): string => (typeof v === 'string' ? `“${v}”` : Array.isArray(v) ? v.map(quote).join(' and ') : String(v))
const day = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString().slice(0, 16).replace('T', ' ') : quote(v))
const DATE_OPERATORS = new Set<Operator>(['before', 'after', 'date_between'])
/** An operand as read: dates (stored as epoch ms) as dates, text quoted. */
const operand = (op: Operator, v: unknown) => (v === undefined ? '' : ` ${DATE_OPERATORS.has(op) ? (Array.isArray(v) ? v.map(day).join(' and ') : day(v)) : quote(v)}`)

export function leafWords(l: Leaf, names: Names): string {
  switch (l.type) {
    case 'property': return `${FIELD_LABEL[l.field]} ${operatorLabel(l.operator)}${operand(l.operator, l.value)}`
    case 'attribute': return `${l.key} ${operatorLabel(l.operator)}${operand(l.operator, l.value)}`
    case 'tag': return `${l.operator === 'has_any' ? 'has any of the tags' : 'has none of the tags'} ${l.tagIds.map((id) => quote(names.tags.get(id) ?? `#${id}`)).join(', ')}`
    case 'segment': return `${l.operator === 'in' ? 'in' : 'not in'} segment ${quote(names.segments.get(l.segmentId) ?? `#${l.segmentId}`)}`
    case 'experience': return `${EXPERIENCE_ACTIONS.find(([a]) => a === l.action)?.[1] ?? l.action} ${quote(l.experience)}${l.answer !== undefined ? ` with ${quote(l.answer)}` : ''}`
    case 'event': {
      const measure = MEASURES.find(([m]) => m === l.measure)?.[1] ?? l.measure
      const subject = l.measure === 'did' || l.measure === 'did_not' ? `${measure} ${l.event}` : `${measure} ${l.event}${l.property ? `.${l.property}` : ''} ${operatorLabel(l.operator ?? 'gte')}${operand(l.operator ?? 'gte', l.value)}`
      const where = (l.where ?? []).map((f) => ` where ${f.property} ${operatorLabel(f.operator)}${operand(f.operator, f.value)}`).join('')
      const w = l.window
      const window = !w ? '' : 'lastDays' in w ? ` in the last ${w.lastDays} days` : ` between ${w.from !== undefined ? day(w.from) : '…'} and ${w.to !== undefined ? day(w.to) : '…'}`
      return subject + where + window
    }
  }
}

/** Each condition as a sentence with the groups above it ("ANY of › plan is “pro”"). */
export function treeSentences(root: Group | null, names: Names): string[] {
  if (!root) return []
  const out: string[] = []
  const walk = (n: Node, context: string) => {
    if (n.type === 'group') {
      const here = `${context}${n.logic === 'and' ? 'ALL of' : 'ANY of'} › `
      n.conditions.forEach((c) => walk(c, here))
    } else out.push(context + leafWords(n, names))
  }
  walk(root, '')
  return out
}

export interface Change { kind: 'added' | 'removed'; text: string }

/** What changed from one tree to the next, in words (a multiset difference of the sentences). */
export function treeChanges(before: Group | null, after: Group | null, names: Names): Change[] {
  const a = treeSentences(before, names)
  const b = treeSentences(after, names)
  const left = [...a]
  const added: string[] = []
  for (const s of b) {
    const i = left.indexOf(s)
    if (i >= 0) left.splice(i, 1)
    else added.push(s)
  }
  return [...left.map((text) => ({ kind: 'removed' as const, text })), ...added.map((text) => ({ kind: 'added' as const, text }))]
}
