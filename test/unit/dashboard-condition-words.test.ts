import { describe, expect, it } from 'vitest'
import { leafWords, treeChanges } from '../../dashboard/src/condition-words.js'
import type { Group } from '../../dashboard/src/condition-model.js'

const names = { tags: new Map([[3, 'VIP']]), segments: new Map([[7, 'Pro users']]) }
const g = (logic: 'and' | 'or', ...conditions: Group['conditions']): Group => ({ type: 'group', logic, conditions })

describe('a condition tree in words (segment history diffs)', () => {
  it('reads each kind of condition with the builder\'s labels', () => {
    expect(leafWords({ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, names)).toBe('plan is “pro”')
    expect(leafWords({ type: 'property', field: 'last_seen', operator: 'before', value: Date.parse('2026-01-02T03:04:00Z') }, names)).toBe('Last activity before 2026-01-02 03:04')
    expect(leafWords({ type: 'tag', operator: 'has_none', tagIds: [3, 9] }, names)).toBe('has none of the tags “VIP”, “#9”')
    expect(leafWords({ type: 'segment', operator: 'in', segmentId: 7 }, names)).toBe('in segment “Pro users”')
    expect(leafWords({ type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500, window: { lastDays: 30 } }, names)).toBe('sum of order_placed.total ≥ 500 in the last 30 days')
    expect(leafWords({ type: 'experience', experience: 'nps', action: 'answered', answer: '9' }, names)).toBe('answered “nps” with “9”')
  })

  it('says what was added and removed, with the groups around it, and nothing for an unchanged tree', () => {
    const before = g('and', { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, g('or', { type: 'tag', operator: 'has_any', tagIds: [3] }))
    const after = g('and', { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, g('and', { type: 'tag', operator: 'has_any', tagIds: [3] }))
    expect(treeChanges(before, before, names)).toEqual([])
    expect(treeChanges(before, after, names)).toEqual([
      { kind: 'removed', text: 'ALL of › ANY of › has any of the tags “VIP”' },
      { kind: 'added', text: 'ALL of › ALL of › has any of the tags “VIP”' },
    ])
    expect(treeChanges(null, g('and', { type: 'attribute', key: 'x', operator: 'is_set' }), names)).toEqual([{ kind: 'added', text: 'ALL of › x is set' }])
  })
})
