import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { columnTest, userColumns } from '../../worker/src/segments/columns.js'
import { treeSchema, type Node } from '../../worker/src/segments/condition.js'
import { evaluate } from '../../worker/src/segments/evaluate.js'
import { loadFacts, type UserFacts } from '../../worker/src/segments/facts.js'
import { binder, toSql } from '../../worker/src/segments/to-sql.js'
import { tempDb } from '../helpers/test-app.js'
import { DAY, insertUser, NOW, PROJECT } from './harness.js'

/**
 * The columns path's event aggregates (count, sum, avg, min, max over a window and property
 * filters) against evaluate and to-sql, on users who each hold several events of one name
 * with mixed values: the random differential test rarely gives one user two numbers of the
 * same name, which is where min, max, avg and the compensated sum differ from each other.
 */
const VALUES = [1, 2, 0.1, 0.2, 0.3, -5, 1e308, 1e308, -1e308, 2 ** 53 + 1, 1e-300, 'x', '12', true, false, null, 0, -0, 499.99, 500, 250.5]
const MEASURES = ['count', 'sum', 'avg', 'min', 'max'] as const
const OPERATORS = ['gte', 'lte', 'gt', 'lt', 'eq', 'neq'] as const

describe('event aggregates over the in-memory columns agree with evaluate and SQL', () => {
  let db: Awaited<ReturnType<typeof tempDb>>
  const users: { pk: number; facts: UserFacts }[] = []
  const seed = Number(process.env.SEED ?? Date.now() % 1e9)
  beforeAll(async () => {
    db = await tempDb()
    const specs = fc.sample(fc.array(fc.record({
      name: fc.constantFrom('order_placed', 'refund'),
      days: fc.integer({ min: 0, max: 45 }),
      total: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
      currency: fc.constantFrom('EUR', 'USD', 'eur'),
    }), { maxLength: 8 }), { seed, numRuns: 120 })
    for (const events of specs) {
      const pk = await insertUser(db.client, {
        events: events.map((e) => ({ name: e.name, at: NOW - e.days * DAY - 1000, props: { ...(e.total === undefined ? {} : { total: e.total }), currency: e.currency } })),
      })
      users.push({ pk, facts: null! })
    }
    for (const u of users) u.facts = (await loadFacts(db.client, PROJECT, { pk: u.pk }, ['order_placed', 'refund']))!
  })
  afterAll(() => db.dispose())

  it('for every measure, comparison and threshold, with and without a window and a filter', async () => {
    const columns = userColumns(db.client)
    const cols = await columns.read(PROJECT, [])
    const ctx = { now: NOW, segments: new Map(), projectId: PROJECT }
    let cases = 0, hits = 0
    for (const measure of MEASURES) for (const operator of OPERATORS) for (const value of [0, 0.3, 1, 2, 500, 1e308, -5]) {
      for (const extra of [{}, { window: { lastDays: 30 } }, { where: [{ property: 'currency', operator: 'is', value: 'eur' }] }]) {
        const leaf = { type: 'event', event: 'order_placed', measure, ...(measure === 'count' ? {} : { property: 'total' }), operator, value, ...extra } as Node
        const tree = treeSchema.parse({ version: 1, root: { type: 'group', logic: 'and', conditions: [leaf] } })
        const test = await columnTest(db.client, cols, tree, ctx)
        const b = binder()
        const { rows } = await db.client.execute({ sql: `SELECT u.id FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND ${toSql(tree, ctx, b.bind)}`, args: b.args })
        const inSql = new Set(rows.map((r) => Number(r.id)))
        for (const u of users) {
          const js = evaluate(tree, u.facts, ctx)
          const col = test(cols.at.get(u.pk)!)
          if (col !== js || inSql.has(u.pk) !== js) {
            throw new Error(`seed ${seed}: ${JSON.stringify(leaf)}\nevaluate ${js}, columns ${col}, sql ${inSql.has(u.pk)}\nevents ${JSON.stringify(u.facts.events)}`)
          }
          cases++
          if (js) hits++
        }
      }
    }
    // Both answers are common: the thresholds sit among the values.
    expect(hits).toBeGreaterThan(cases / 10)
    expect(cases - hits).toBeGreaterThan(cases / 10)
  })
})
