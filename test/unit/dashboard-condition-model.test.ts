import { describe, expect, it } from 'vitest'
import * as ui from '../../dashboard/src/condition-model.js'
import { FIELD_KIND, KIND_OPERATORS, PROPERTY_FIELDS } from '../../worker/src/segments/condition.js'
import { OPERATORS } from '../../worker/src/segments/operators.js'

// The dashboard mirrors the engine's operator tables rather than bundling zod; these keep
// the mirror honest (the operator keys themselves are checked by the compiler).
describe("the dashboard's copy of the condition model", () => {
  it('offers exactly the operators the engine accepts for each type', () => {
    expect(ui.KIND_OPERATORS).toEqual(KIND_OPERATORS)
  })

  it('knows every native property with the type the engine gives it', () => {
    expect(ui.FIELD_KIND).toEqual(FIELD_KIND)
    expect([...ui.PROPERTY_ORDER].sort()).toEqual([...PROPERTY_FIELDS].sort())
  })

  it('labels every operator of the engine', () => {
    expect(Object.keys(ui.OPERATOR_UI).sort()).toEqual(Object.keys(OPERATORS).sort())
  })

  it('says what is missing before a filter is applied', () => {
    const tree = (...conditions: ui.Node[]): ui.Group => ({ type: 'group', logic: 'and', conditions })
    expect(ui.treeProblem(tree({ type: 'attribute', key: 'plan', operator: 'is', value: undefined }))).toBe('plan: fill in a value')
    expect(ui.treeProblem(tree({ type: 'property', field: 'sessions', operator: 'between', value: [1, undefined] }))).toBe('Sessions: fill in both ends')
    expect(ui.treeProblem(tree({ type: 'event', event: 'order_placed', measure: 'sum', operator: 'gte', value: 100 }))).toBe('order_placed: name the property to aggregate')
    expect(ui.treeProblem(tree({ type: 'attribute', key: 'beta', operator: 'is_true' }, tree({ type: 'tag', operator: 'has_any', tagIds: [1] })))).toBeNull()
  })

  it('drops empty groups, which the server would read as "everyone"', () => {
    const g: ui.Group = { type: 'group', logic: 'and', conditions: [{ type: 'group', logic: 'or', conditions: [] }, { type: 'attribute', key: 'x', operator: 'is_set' }] }
    expect(ui.prune(g).conditions).toEqual([{ type: 'attribute', key: 'x', operator: 'is_set' }])
  })
})
