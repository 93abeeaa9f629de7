import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventArraysSql, JOURNAL_ENDS_SQL } from '../../worker/src/segments/columns.js'
import { treeSchema, type Node } from '../../worker/src/segments/condition.js'
import { binder, toSql } from '../../worker/src/segments/to-sql.js'
import { loadFacts } from '../../worker/src/segments/facts.js'
import { mergeStatements } from '../../worker/src/ingest/merge.js'
import { searchSql } from '../../worker/src/users/search.js'
import { eraseMemberships } from '../../worker/src/segments/membership.js'
import { memberOf } from '../../worker/src/segments/member-of.js'
import { USER_HISTORY_SQL } from '../../worker/src/routes/segment-ledger.js'
import { tempDb } from '../helpers/test-app.js'
import { insertUser, NOW, PROJECT } from './harness.js'

const attr = (key: string, operator: string, value?: unknown) => ({ type: 'attribute', key, operator, value }) as Node
const group = (logic: 'and' | 'or', ...conditions: Node[]) => ({ type: 'group', logic, conditions }) as Node
const lastSeen = { type: 'property', field: 'last_seen', operator: 'more_than_days_ago', value: 90 } as Node

/** Representative trees: each leaf kind that reads a set, alone, under AND and under OR. */
const TREES: [string, Node][] = [
  ['a text attribute, case-insensitive', attr('plan', 'is', 'Pro')],
  ['a text attribute, case-sensitive', { ...attr('plan', 'is', 'pro'), caseSensitive: true } as Node],
  ['a number range', attr('seats', 'gte', 10)],
  ['a negation', attr('plan', 'is_not', 'pro')],
  ['a list item', attr('features', 'list_contains', 'SSO')],
  ['an empty list (absent passes)', attr('features', 'list_is_empty')],
  ['a date attribute', attr('renewal', 'within_next_days', 30)],
  ['the 3-condition AND/OR', group('or', group('and', attr('plan', 'is', 'pro'), attr('seats', 'gte', 10)), lastSeen)],
  ['an OR of attributes', group('or', attr('role', 'is', 'admin'), attr('features', 'list_contains', 'sso'), attr('beta', 'is_true'))],
  ['an event sum in a window', { type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500, window: { lastDays: 30 } } as Node],
  ['an event count below (absent passes)', { type: 'event', event: 'login', measure: 'count', operator: 'lt', value: 2 } as Node],
  ['a tag', { type: 'tag', operator: 'has_any', tagIds: [1, 2] } as Node],
]

describe('to-sql plans: attribute and event leaves are index lookups, never a JSON scan of users', () => {
  let db: Awaited<ReturnType<typeof tempDb>>
  beforeAll(async () => {
    db = await tempDb()
    for (let i = 0; i < 300; i++) {
      await insertUser(db.client, {
        attributes: { plan: ['free', 'pro', 'starter'][i % 3], seats: i % 40, role: i % 7 ? 'editor' : 'admin', beta: i % 5 === 0, features: i % 4 ? ['api'] : ['sso', 'api'], renewal: NOW + (i % 60) * 86_400_000 },
        events: i % 2 ? [{ name: 'order_placed', at: NOW - (i % 40) * 86_400_000, props: { total: i * 3 } }, { name: 'login', at: NOW - i * 1000 }] : [],
      })
    }
  })
  afterAll(() => db.dispose())

  const planOf = async (sql: string, args: unknown[]) =>
    (await db.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: args as never })).rows.map((r) => String(r.detail))

  it.each(TREES)('%s', async (_name, node) => {
    const b = binder()
    const root = node.type === 'group' ? node : group('and', node)
    const where = toSql(treeSchema.parse({ version: 1, root }), { now: NOW, segments: new Map(), projectId: PROJECT }, b.bind)
    // No JSON at all for attribute leaves: they read typed rows. (Event properties are
    // still read from each event of the name in the window.)
    if (!where.includes('FROM events e')) expect(where).not.toMatch(/json_/)
    const plan = await planOf(`SELECT count(*) FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND u.status = 'active' AND ${where}`, b.args)
    const text = plan.join('\n')
    // users is read through an index (a covering scan of (project, status, last seen) at most), never row by row.
    expect(text, text).not.toMatch(/SCAN u(?! USING COVERING INDEX)\b/)
    expect(text, text).not.toMatch(/MULTI-INDEX OR/)
    for (const line of plan.filter((l) => /\b(a|li|e|ut)\b USING|SCAN (a|li|e|ut)\b/.test(l))) {
      expect(line, text).toMatch(/^SEARCH (a|li|e|ut) USING (PRIMARY KEY \(user_pk=\? AND key=\?\)|(COVERING )?INDEX (user_attributes_key_value|user_attributes_key_folded|user_attribute_items_folded|events_project_name_time|user_tags_tag))/)
    }
  })

  it('event leaves read the covering events index: no row lookup per event, in SQL and in the columns', async () => {
    const leaves = [
      { type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500, window: { lastDays: 30 } },
      { type: 'event', event: 'order_placed', measure: 'max', property: 'total', operator: 'gte', value: 5, where: [{ property: 'currency', operator: 'is', value: 'EUR' }] },
      { type: 'event', event: 'login', measure: 'did', window: { lastDays: 7 } },
      { type: 'event', event: 'login', measure: 'count', operator: 'gte', value: 2 },
    ] as Extract<Node, { type: 'event' }>[]
    for (const leaf of leaves) {
      const b = binder()
      const where = toSql(treeSchema.parse({ version: 1, root: group('and', leaf) }), { now: NOW, segments: new Map(), projectId: PROJECT }, b.bind)
      const inSql = (await planOf(`SELECT count(*) FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND u.status = 'active' AND ${where}`, b.args)).join('\n')
      expect(inSql, inSql).toMatch(/SEARCH e USING COVERING INDEX events_project_name_time/)
      if (leaf.measure === 'did') continue
      const arrays = eventArraysSql(leaf, { now: NOW, projectId: PROJECT })
      const inColumns = (await planOf(arrays.sql, arrays.args)).join('\n')
      expect(inColumns, inColumns).toMatch(/^SEARCH e USING COVERING INDEX events_project_name_time \(project_id=\? AND name=\?( AND timestamp>\?)?\)$/)
    }
  })

  it("one user's events are read on the (user, time) index, never through the covering project-leading one", async () => {
    // The covering (project, name, time, user, properties) index holds user_pk: without a
    // hint SQLite prefers it for `project_id = ? AND user_pk = ?`, and reads every event of the project.
    const stmts: { sql: string; args: unknown }[] = []
    const recorder = {
      execute: (s: { sql: string; args: unknown }) => { stmts.push(s); return db.client.execute(s as never) },
      batch: (ss: { sql: string; args: unknown }[], mode: never) => { stmts.push(...ss); return db.client.batch(ss as never, mode) },
    }
    await loadFacts(recorder as never, PROJECT, { pk: 1 }, ['order_placed', 'login'])
    const b = binder()
    const probe = toSql(treeSchema.parse({ version: 1, root: group('and', { type: 'event', event: 'login', measure: 'count', operator: 'gte', value: 2, window: { lastDays: 7 } } as Node) }), { now: NOW, segments: new Map(), projectId: PROJECT, probeOnly: true }, b.bind)
    stmts.push({ sql: `SELECT u.id FROM users u WHERE u.id IN (1, 2) AND ${probe}`, args: b.args })
    // A merge's moves and an erasure's deletes (their named values bound as NULL: the plan is the point).
    const named = (sql: string) => ({ sql, args: Object.fromEntries([...sql.matchAll(/:(\w+)/g)].map((m) => [m[1], null])) })
    for (const sql of mergeStatements(':s', ':t', '1', false)) stmts.push(named(sql))
    const ofEvents = stmts.filter((s) => /\bevents\b/.test(s.sql) && /user_pk/.test(s.sql))
    expect(ofEvents.length).toBeGreaterThanOrEqual(3)
    for (const s of ofEvents) {
      const plan = (await planOf(s.sql, s.args as never)).filter((l) => /\bevents\b|\be\b USING/.test(l) || /SCAN (events|e)\b/.test(l)).join('\n')
      expect(plan, s.sql).toMatch(/USING (COVERING )?INDEX events_user_time/)
      expect(plan, s.sql).not.toMatch(/events_project_name_time \(project_id=\?\)|SCAN (events|e)\b/)
    }
  })

  it('a page that walks the last-seen index probes the sets instead of driving from them', async () => {
    const b = binder()
    const where = toSql(treeSchema.parse({ version: 1, root: group('and', attr('plan', 'is', 'pro')) }), { now: NOW, segments: new Map(), projectId: PROJECT, probeOnly: true }, b.bind)
    const plan = (await planOf(`SELECT u.id FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND u.status = 'active' AND ${where} ORDER BY u.last_seen DESC, u.id DESC LIMIT 50`, b.args)).join('\n')
    expect(plan).toMatch(/SEARCH u USING COVERING INDEX users_project_status_last_seen/)
    expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/)
  })

  it('the columns read the change journal\'s ends off its key, not by scanning it', async () => {
    const plan = (await planOf(JOURNAL_ENDS_SQL, [PROJECT])).join('\n')
    expect(plan, plan).not.toMatch(/SCAN user_changes/)
    expect(plan, plan).toMatch(/SEARCH user_changes/)
  })

  it('search reads the trigram index from 3 characters and the column indexes below', async () => {
    for (const [term, index] of [['ann', /users_search VIRTUAL TABLE/], ['an', /users_project_(email|name|user_id)/]] as const) {
      const b = binder()
      const plan = (await planOf(`SELECT count(*) FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND ${searchSql(term, 'contains', PROJECT, b.bind)}`, b.args)).join('\n')
      expect(plan, plan).toMatch(index)
      expect(plan, plan).not.toMatch(/SCAN u(?! USING COVERING INDEX)\b/)
    }
  })

  it("a user's ledger rows are read per segment of the project (segment, user, time), never by scanning the ledger", async () => {
    const history = (await planOf(USER_HISTORY_SQL, [PROJECT, 1, 100])).join('\n')
    expect(history, history).toMatch(/SEARCH l USING INDEX segment_ledger_member \(segment_id=\? AND user_pk=\?\)/)
    expect(history, history).not.toMatch(/SCAN l\b/)
    const erase = eraseMemberships('1', { p: PROJECT, u: 1, now: NOW }).find((s) => /DELETE FROM segment_ledger/.test(s.sql))!
    const plan = (await planOf(erase.sql, erase.args as never)).join('\n')
    expect(plan, plan).toMatch(/SEARCH segment_ledger USING INDEX segment_ledger_member \(segment_id=\? AND user_pk=\?\)/)
    expect(plan, plan).not.toMatch(/SCAN segment_ledger\b/)
  })

  it("a user's memberships are key lookups per segment of the project, never a scan of segment_members", async () => {
    // Neither table has an index by user alone (migrations 0012, 0013); every per-user statement goes through the project's segments.
    const stmts: { sql: string; args: unknown }[] = []
    const recorder = {
      execute: (s: { sql: string; args: unknown }) => { stmts.push(s); return db.client.execute(s as never) },
      batch: (ss: { sql: string; args: unknown }[], mode: never) => { stmts.push(...ss); return db.client.batch(ss as never, mode) },
    }
    await loadFacts(recorder as never, PROJECT, { pk: 1 }, [])
    const named = (sql: string) => ({ sql, args: Object.fromEntries([...sql.matchAll(/:(\w+)/g)].map((m) => [m[1], null])) })
    for (const sql of mergeStatements(':s', ':t', '1', false)) stmts.push(named(sql))
    stmts.push(...eraseMemberships('1', { p: PROJECT, u: 1, now: NOW }))
    stmts.push({ sql: `SELECT s.id, m.entered_at FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE ${memberOf('?1', '?2', 'm')} ORDER BY s.name`, args: [PROJECT, 1] })
    const ofMembers = stmts.filter((s) => /segment_members/.test(s.sql))
    expect(ofMembers.length).toBeGreaterThanOrEqual(4)
    for (const s of ofMembers) {
      const plan = (await planOf(s.sql, s.args as never)).join('\n')
      expect(plan, `${s.sql}\n${plan}`).not.toMatch(/SCAN (segment_members|m|sm)\b/)
      expect(plan, `${s.sql}\n${plan}`).toMatch(/SEARCH (segment_members|m) USING PRIMARY KEY \(segment_id=\? AND user_pk=\?\)/)
    }
  })
})
