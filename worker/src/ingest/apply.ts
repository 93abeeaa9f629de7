import { named } from '../db/named.js'
import type { SqlValue, Stmt, SyncSql } from '../db/types.js'
import { activityUpkeep, type Activity, type ActivityUpkeep } from './activity.js'
import { eventRows, type EventRows } from './event-rows.js'
import { userByIdSql } from './identity.js'
import {
  CREATE_ANONYMOUS, CREATE_IDENTIFIED, identitySql, TARGET, UPSERT_ANONYMOUS_DEVICE, UPSERT_DEVICE_OF_USER,
  upkeepSql, upkeepStatements, type PreparedMessage,
} from './plan.js'

/** One request's messages for the collector, as the Node writer hands them to its write thread. */
export interface IngestWork {
  projectId: string
  messages: PreparedMessage[]
}

/** What a group-commit transaction holds: a request's statements, or a request's messages. */
export type WorkItem = { stmts: Stmt[] } | { ingest: IngestWork }

/**
 * Applies a group's work in order inside the open transaction of Node's write thread
 * (the only writer there), and returns how many messages it stored.
 *
 * Each message is checked once rather than in every statement: not stored yet (message
 * id), no erased id (only when the project has suppressions at all, read per request
 * inside the transaction, so an erase that committed before wins), then its identity is
 * resolved with point lookups, and the identity statements of the plan run only when
 * those lookups show that they would change something (a new profile or device, a device
 * changing hands or due for its once-a-minute refresh, a merge). Profile upkeep is per
 * user for the whole group (`activity.ts`), and its events are written together
 * (`event-rows.ts`). The result is the same as running every
 * message's planned statements one by one (test/api/grouped-ingest.test.ts).
 */
export function applyWork(sql: SyncSql, items: WorkItem[]): number {
  const upkeep = activityUpkeep(sql)
  const events = eventRows(sql)
  let stored = 0
  for (const item of items) {
    if ('stmts' in item) {
      // Any other write may read or write the profiles and events pending here.
      upkeep.flushAll()
      events.flush()
      for (const s of item.stmts) sql.run(s.sql, s.args)
    } else {
      stored += applyIngest(sql, item.ingest, upkeep, events)
    }
  }
  upkeep.flushAll()
  events.flush()
  return stored
}

const ANY_ERASED = 'SELECT 1 FROM suppressions WHERE project_id = ? LIMIT 1'
const SUPPRESSED = 'SELECT 1 FROM suppressions WHERE project_id = ? AND id_hash IN (?, ?, ?)'
/** What a message's lookup returns: is it stored, its device, the profile its user id names, and that profile's activity (or the device's profile's). */
const FOUND = (from: string, m: string, a: string, pk: string) => `SELECT EXISTS (SELECT 1 FROM events WHERE project_id = :p AND message_id = ${m}) AS stored,
    d.anonymous_id IS NOT NULL AS has_device, d.user_pk AS device_user, d.user_agent, d.ip, d.first_seen AS device_first, d.last_seen AS device_last,
    ${pk} AS user_pk, t.id AS target, t.first_seen, t.last_seen, t.sessions, t.last_session_id, t.events_count, t.updated_at
  FROM ${from}
  LEFT JOIN devices d ON d.project_id = :p AND d.anonymous_id = ${a}
  LEFT JOIN users t ON t.id = coalesce(${pk}, d.user_pk)`
/** Everything one message needs, in one statement. */
const LOOKUP = FOUND(`(SELECT ${userByIdSql(':u')} AS pk) AS k`, ':m', ':a', 'k.pk')
/**
 * The same for several messages of a request, in one statement (`:q`, a JSON array of
 * [message id, anonymous id, user id]), a row per message in order: ~10 µs a message
 * instead of ~14 (the statement's setup and the crossing into libSQL are paid once).
 */
const LOOKUP_ALL = `WITH q AS MATERIALIZED (SELECT j.key AS i, j.value ->> 0 AS m, j.value ->> 1 AS a, ${userByIdSql('(j.value ->> 2)')} AS pk FROM json_each(:q) j)
  ${FOUND('q', 'q.m', 'q.a', 'q.pk')}
  ORDER BY q.i`
const TARGET_OF = `SELECT ${TARGET} AS pk`
/** A new profile's activity as the INSERTs below leave it (plan.ts makes profiles never seen). */
const NEW_PROFILE = (now: SqlValue): Activity => ({ first_seen: 0, last_seen: 0, sessions: 0, last_session_id: null, events_count: 0, updated_at: Number(now) })
const BY_ID = upkeepStatements(':t', '1')

interface Found extends Activity {
  stored: number
  has_device: number
  device_user: number | null
  user_agent: string | null
  ip: string | null
  device_first: number
  device_last: number
  user_pk: number | null
  target: number | null
}

function applyIngest(sql: SyncSql, work: IngestWork, upkeep: ActivityUpkeep, events: EventRows): number {
  const p = work.projectId
  const erasedAny = sql.get(ANY_ERASED, [p]) !== undefined
  const early = earlyLookups(sql, work)
  let stored = 0
  for (const [i, pm] of work.messages.entries()) {
    const a = pm.args
    // A retry of a message earlier in this group: its event is held, not written yet.
    if (events.has(a.p, a.m)) continue
    const found = early.valid(i) ?? sql.get(LOOKUP, named(LOOKUP, a).args) as unknown as Found
    if (found.stored) continue
    if (erasedAny && sql.get(SUPPRESSED, [p, a.hu, a.ha, a.hp])) continue
    const { target, read } = resolve(sql, pm, found, upkeep, events)
    early.wrote(target)
    const args = { ...a, t: target }
    if (pm.traits) upkeep.flush(target as number)
    else if (target !== null) upkeep.add(target, p, a, read)
    for (const text of upkeepSql(pm, BY_ID, pm.traits)) {
      if (text === BY_ID.event) { events.add(a, target); continue }
      const s = named(text, args)
      sql.run(s.sql, s.args)
    }
    stored++
  }
  return stored
}

/**
 * A request's lookups made before its first message is applied (`LOOKUP_ALL`), for the
 * messages whose row can stay true. Outside a merge, a message writes only its own device
 * (anonymous id), the profile its user id names when it creates one, and the profile it
 * lands on. So a row is made only for a message that shares no anonymous id or user id
 * with an earlier message of the request, up to the first identify or alias (either may
 * merge, which moves devices, aliases and events of other ids), and is dropped if an
 * earlier message landed on the profile it found. Every other message is looked up on its
 * own — a batch from one visitor makes no early row at all. A retry of a message earlier in
 * the request is held by `events` until a merge flushes it.
 */
function earlyLookups(sql: SyncSql, work: IngestWork) {
  const rowOf = new Map<number, number>()
  const seen = new Set<SqlValue>()
  for (const [i, { type, args: a }] of work.messages.entries()) {
    if (!seen.has(a.a) && !seen.has(a.u)) rowOf.set(i, rowOf.size)
    for (const id of [a.a, a.u]) if (id != null) seen.add(id)
    if (type === 'alias' || type === 'identify') break
  }
  const early = [...rowOf.keys()].map((i) => work.messages[i].args)
  const rows = early.length > 1
    ? sql.all(LOOKUP_ALL, { p: work.projectId, q: JSON.stringify(early.map((a) => [a.m, a.a ?? null, a.u ?? null])) }) as unknown as Found[]
    : []
  const profiles = new Set<number | null>()
  return {
    valid(i: number): Found | undefined {
      const f = rows[rowOf.get(i) ?? -1]
      return f && !profiles.has(f.target) ? f : undefined
    },
    wrote(target: number | null) {
      if (target !== null) profiles.add(target)
    },
  }
}

/**
 * The profile the message lands on, after making whatever identity rows it needs, with
 * its activity row when that is known without reading it again: from the lookup (nothing
 * here wrote that profile since), or a profile just created.
 */
function resolve(sql: SyncSql, pm: PreparedMessage, f: Found, upkeep: ActivityUpkeep, events: EventRows): { target: number | null; read?: Activity } {
  const a = pm.args
  const run = (text: string) => { const s = named(text, a); sql.run(s.sql, s.args) }
  const insert = (text: string) => (sql.get(text, named(text, a).args)?.id ?? null) as number | null
  const targetNow = () => (sql.get(TARGET_OF, named(TARGET_OF, a).args)?.pk ?? null) as number | null

  if (!pm.hasUser) {
    if (f.has_device && f.device_user !== null) {
      if (deviceDue(f, a, false)) run(UPSERT_ANONYMOUS_DEVICE)
      return { target: f.device_user, read: f.target === f.device_user ? f : undefined }
    }
    // A new visitor: the profile, then its device (the plan's statements, guards and all).
    const created = insert(CREATE_ANONYMOUS_RETURNING)
    run(UPSERT_ANONYMOUS_DEVICE)
    return created !== null ? { target: created, read: NEW_PROFILE(a.now) } : { target: targetNow() }
  }

  // identify on a device whose profile is not this user's may adopt or merge it; alias merges.
  const merges = pm.type === 'alias' || (pm.type === 'identify' && pm.hasAnonymous && (f.user_pk === null || f.device_user !== f.user_pk))
  if (merges) {
    // Merges read and delete profiles and move their events: nothing of the group may stay pending.
    upkeep.flushAll()
    events.flush()
    for (const text of identitySql(pm)) run(text)
    return { target: targetNow() }
  }
  let user = f.user_pk
  let read: Activity | undefined = f.target === user ? f : undefined
  if (user === null) {
    user = insert(CREATE_IDENTIFIED_RETURNING)
    read = NEW_PROFILE(a.now)
  }
  if (pm.device && (!f.has_device || deviceDue(f, a, f.device_user !== user))) run(UPSERT_DEVICE_OF_USER)
  return { target: user, read }
}

const CREATE_ANONYMOUS_RETURNING = `${CREATE_ANONYMOUS} RETURNING id`
const CREATE_IDENTIFIED_RETURNING = `${CREATE_IDENTIFIED} RETURNING id`

/** The device upsert's own WHERE (plan.ts upsertDevice): would it rewrite this row? */
function deviceDue(f: Found, a: Record<string, SqlValue>, ownerChanged: boolean): boolean {
  const ts = Number(a.ts)
  return ownerChanged || ts > f.device_last + 60000 || ts < f.device_first
    || (a.userAgent != null && a.userAgent !== f.user_agent)
    || (a.ip != null && a.ip !== f.ip)
}
