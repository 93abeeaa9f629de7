import { createClient, type Client } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCachedConnection } from '../../worker/src/db/node-db.js'
import { applyWork, type WorkItem } from '../../worker/src/ingest/apply.js'
import { isRejection, normalizeMessage } from '../../worker/src/ingest/normalize.js'
import { planPrepared, prepareMessage, type PreparedMessage } from '../../worker/src/ingest/plan.js'
import { directWriter } from '../../worker/src/ingest/writer.js'
import { recomputeSegment } from '../../worker/src/segments/membership.js'
import { bootstrap } from '../../worker/src/setup/bootstrap.js'
import { tempDb } from '../helpers/test-app.js'

/**
 * Node's write thread applies a group of requests with point lookups and one profile
 * update per user (ingest/apply.ts). Whatever the messages, that must leave exactly the
 * rows that applying each message's guarded statement plan alone, in order, leaves:
 * users (counters, sessions, traits, first/last seen), devices, aliases, events,
 * interactions, responses, the typed attribute storage, totals and segment memberships.
 * The change journal is left out: fewer writes of a profile are fewer journal entries.
 */
const NOW = Date.parse('2026-11-01T12:00:00Z')
const hash = (id: string) => createHash('sha256').update(id).digest('hex')
const ERASED = 'u-erased'

const userId = fc.constantFrom('u1', 'u2', 'u3', ERASED)
const anonymousId = fc.constantFrom('a1', 'a2', 'a3', 'a4')
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 })
/** Most track and page calls set nothing: they take the per-user activity path. */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: a, weight: 1 })
const ids = fc.oneof(
  fc.record({ userId, anonymousId: maybe(anonymousId) }),
  fc.record({ anonymousId }),
)
const context = fc.record({
  sessionId: maybe(fc.constantFrom('s1', 's2')),
  userAgent: maybe(fc.constantFrom('Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1')),
  timezone: maybe(fc.constantFrom('Europe/Paris', 'UTC')),
}, { requiredKeys: [] })
const traits = fc.record({
  email: maybe(fc.constantFrom('a@x.io', 'b@x.io', null)),
  name: maybe(fc.constantFrom('Ann', 'Bob')),
  plan: maybe(fc.constantFrom('pro', 'free', null)),
  seats: maybe(fc.integer({ min: 0, max: 20 })),
  prefs: maybe(fc.constantFrom({ theme: 'dark' }, { lang: 'fr', theme: null })),
}, { requiredKeys: [] })
const common = fc.record({
  messageId: fc.integer({ min: 0, max: 40 }).map((n) => `m${n}`),
  // Minutes over eleven hours around NOW: sessions start and continue (30 minutes apart or not), first seen moves back.
  timestamp: fc.integer({ min: -600, max: 60 }).map((min) => new Date(NOW + min * 60_000 + 7).toISOString()),
  context,
  setOnce: rarely(fc.constantFrom({ signup: 'web' }, { signup: 'ios', seats: 1 })),
  unset: rarely(fc.constantFrom(['plan'], ['seats', 'email'])),
})
const message = fc.oneof(
  fc.tuple(common, ids, maybe(traits)).map(([c, i, t]) => ({ ...c, ...i, type: 'identify', traits: t })),
  fc.tuple(common, ids, fc.constantFrom('order_placed', 'viewed')).map(([c, i, event]) => ({ ...c, ...i, type: 'track', event, properties: { total: 3 } })),
  fc.tuple(common, ids, fc.constantFrom('s1', 's2'), fc.constantFrom('seen', 'completed')).map(([c, i, x, action]) => ({ ...c, ...i, type: 'track', event: '$experience', properties: { id: x, action } })),
  fc.tuple(common, ids).map(([c, i]) => ({ ...c, ...i, type: 'track', event: '$response', properties: { experience: 'x1', answer: 'yes' } })),
  fc.tuple(common, ids).map(([c, i]) => ({ ...c, ...i, type: 'page', name: 'Home' })),
  fc.tuple(common, userId, fc.constantFrom('u1', 'u2', 'a1', 'a2', 'old-id')).map(([c, u, prev]) => ({ ...c, userId: u, previousId: prev, type: 'alias' })),
  fc.tuple(common, ids).map(([c, i]) => ({ ...c, ...i, type: 'group', groupId: 'acme', traits: { plan: 'team' } })),
)
/** Messages, then exact retries of some of them (the same payload again), then where requests and groups split. */
const scenarioOf = (minLength: number, maxLength: number) => fc.record({
  messages: fc.array(message, { minLength, maxLength }),
  retries: fc.array(fc.nat(), { maxLength: 6 }),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
  groupCut: fc.nat(),
})
const scenario = scenarioOf(1, 30)
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

const SEGMENT_TREE = { version: 1, root: { type: 'group', logic: 'or', conditions: [
  { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' },
  { type: 'event', event: 'order_placed', measure: 'count', operator: 'gte', value: 2 },
] } }

/** Rows compared, in a stable order (surrogate keys are assigned in message order on both paths, so they are compared too). */
const TABLES: [string, string][] = [
  ['users', 'SELECT * FROM users ORDER BY id'],
  ['devices', 'SELECT * FROM devices ORDER BY project_id, anonymous_id'],
  ['aliases', 'SELECT * FROM aliases ORDER BY project_id, alias'],
  ['events', 'SELECT * FROM events ORDER BY id'],
  ['interactions', 'SELECT * FROM interactions ORDER BY id'],
  ['responses', 'SELECT * FROM responses ORDER BY id'],
  ['user_attributes', 'SELECT * FROM user_attributes ORDER BY user_pk, key'],
  ['user_attribute_items', 'SELECT * FROM user_attribute_items ORDER BY 1, 2, 3, 4'],
  ['user_counts', 'SELECT * FROM user_counts ORDER BY 1, 2'],
  ['segment_members', 'SELECT * FROM segment_members ORDER BY segment_id, user_pk'],
]

async function snapshot(db: Client) {
  const out: Record<string, unknown[]> = {}
  for (const [name, sql] of TABLES) out[name] = (await db.execute(sql)).rows.map((r) => ({ ...r }))
  // The change journal: one row per write on the single path, one per profile and group on
  // the grouped one (activity.ts writes those rows itself), so what must agree is which
  // users it names, with which causes and which inputs ('*' created, 'a' attributes, 'n' natives…).
  const journal = new Map<number, Set<string>>()
  for (const r of (await db.execute('SELECT user_pk, cause, inputs FROM user_changes ORDER BY seq')).rows) {
    const seen = journal.get(Number(r.user_pk)) ?? new Set<string>()
    seen.add(`cause ${r.cause}`)
    for (const ch of String(r.inputs)) seen.add(ch)
    journal.set(Number(r.user_pk), seen)
  }
  out.journal = [...journal].sort((a, b) => a[0] - b[0]).map(([pk, seen]) => [pk, [...seen].sort().join(' ')])
  return out
}

describe('grouped ingest (Node write thread) versus one message at a time', () => {
  let template: Awaited<ReturnType<typeof tempDb>>
  let projectId = ''
  const dirs: string[] = []
  afterAll(() => { template?.dispose(); for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

  // The project, a dynamic segment and one erased user id, copied for every run.
  beforeAll(async () => {
    template = await tempDb()
    projectId = (await bootstrap(template.client, { adminPassword: 'correct horse battery', now: NOW })).projectId
    await template.client.batch([
      { sql: `INSERT INTO segments (id, project_id, name, kind, conditions, key, created_at, updated_at) VALUES (1, ?, 'pro or buyers', 'dynamic', ?, 'pro', 0, 0)`, args: [projectId, JSON.stringify(SEGMENT_TREE)] },
      { sql: 'INSERT INTO suppressions (project_id, id_hash, created_at) VALUES (?, ?, 0)', args: [projectId, hash(ERASED)] },
    ], 'write')
  })

  async function fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'jimer-grouped-'))
    dirs.push(dir)
    const path = join(dir, 'jimer.db')
    await template.client.execute({ sql: 'VACUUM INTO ?', args: [path] })
    const client = createClient({ url: `file:${path}` })
    return { client, path, dispose: () => { client.close(); rmSync(dir, { recursive: true, force: true }) } }
  }

  const sameRows = async (s: Scenario) => {
      const raws = [...s.messages, ...s.retries.map((i) => s.messages[i % s.messages.length])]
      const prepared: PreparedMessage[] = []
      for (const raw of raws) {
        // As it comes over the wire: keys left undefined by the generator are absent.
        const m = normalizeMessage(JSON.parse(JSON.stringify(raw)), { receivedAt: NOW, source: 'API', messageId: () => 'unused' })
        if (isRejection(m)) throw new Error(`the generator made an invalid message: ${m.message}`)
        const hashes = new Map([m.userId, m.anonymousId, m.previousId].filter((x): x is string => x !== null).map((id) => [id, hash(id)]))
        prepared.push(prepareMessage(projectId, m, NOW, hashes))
      }

      // One at a time: each message's guarded plan in its own transaction, in order.
      const single = await fresh()
      const planned = openCachedConnection(single.path)
      for (const pm of prepared) planned.transaction(planPrepared(pm))
      planned.close()

      // Grouped: the messages cut into requests, the requests into one or two group transactions.
      const grouped = await fresh()
      const conn = openCachedConnection(grouped.path)
      const bounds = [...new Set(s.cuts.map((c) => c % prepared.length))].sort((a, b) => a - b)
      const items: WorkItem[] = []
      for (const [i, start] of [0, ...bounds].entries()) {
        const end = i < bounds.length ? bounds[i] : prepared.length
        if (end > start) items.push({ ingest: { projectId, messages: prepared.slice(start, end) } })
      }
      const g = s.groupCut % (items.length + 1)
      for (const group of [items.slice(0, g), items.slice(g)]) if (group.length) conn.writeTransaction((sql) => applyWork(sql, group))
      conn.close()

      for (const d of [single, grouped]) {
        await recomputeSegment(d.client, directWriter(d.client), projectId, 1, 'edit', NOW)
      }
      expect(await snapshot(grouped.client)).toEqual(await snapshot(single.client))
      for (const d of [single, grouped]) d.dispose()
  }

  it('leaves the same rows for any group of messages, retries and erased ids included', async () => {
    await fc.assert(fc.asyncProperty(scenario, sameRows), { numRuns: 100, seed: 13 })
  }, 300_000)

  it('when a request\'s messages share no id but land on one profile (two devices of a user)', async () => {
    // A request's early lookup row is only good until an earlier message of the request
    // writes the profile it found: here the setOnce track on a1 writes u1's profile, and the
    // page on a2 (no id in common with it) must count on top of that write.
    const at = (min: number) => new Date(NOW + min * 60_000).toISOString()
    const messages = [
      { type: 'identify', userId: 'u1', anonymousId: 'a1', messageId: 'm1', timestamp: at(0) },
      { type: 'identify', userId: 'u1', anonymousId: 'a2', messageId: 'm2', timestamp: at(1) },
      { type: 'track', anonymousId: 'a1', event: 'viewed', setOnce: { signup: 'web' }, messageId: 'm3', timestamp: at(2) },
      { type: 'page', anonymousId: 'a2', name: 'Home', messageId: 'm4', timestamp: at(3) },
      { type: 'page', anonymousId: 'a3', name: 'Home', messageId: 'm5', timestamp: at(4) },
    ]
    await sameRows({ messages, retries: [], cuts: [2], groupCut: 0 } as unknown as Scenario)
  })

  it('and for large groups, whose events go in as multi-row INSERTs of every size (64, 16, 4, 1)', async () => {
    await fc.assert(fc.asyncProperty(scenarioOf(70, 160), sameRows), { numRuns: 8, seed: 14 })
  }, 300_000)
})
