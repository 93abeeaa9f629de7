import { named } from '../db/named.js'
import type { SqlValue, Stmt, SyncSql } from '../db/types.js'
import { activityUpkeep, type ActivityUpkeep } from './activity.js'
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
 * user for the whole group (`activity.ts`). The result is the same as running every
 * message's planned statements one by one (test/api/grouped-ingest.test.ts).
 */
export function applyWork(sql: SyncSql, items: WorkItem[]): number {
  const upkeep = activityUpkeep(sql)
  let stored = 0
  for (const item of items) {
    if ('stmts' in item) {
      // Any other write may read or write the profiles pending here.
      upkeep.flushAll()
      for (const s of item.stmts) sql.run(s.sql, s.args)
    } else {
      stored += applyIngest(sql, item.ingest, upkeep)
    }
  }
  upkeep.flushAll()
  return stored
}

const STORED = 'SELECT 1 FROM events WHERE project_id = ? AND message_id = ?'
const ANY_ERASED = 'SELECT 1 FROM suppressions WHERE project_id = ? LIMIT 1'
const SUPPRESSED = 'SELECT 1 FROM suppressions WHERE project_id = ? AND id_hash IN (?, ?, ?)'
const DEVICE = 'SELECT user_pk, user_agent, ip, first_seen, last_seen FROM devices WHERE project_id = ? AND anonymous_id = ?'
const USER_BY_ID = `SELECT ${userByIdSql(':u')} AS pk`
const TARGET_OF = `SELECT ${TARGET} AS pk`
const BY_ID = upkeepStatements(':t', '1')

type Device = { user_pk: number | null; user_agent: string | null; ip: string | null; first_seen: number; last_seen: number }

function applyIngest(sql: SyncSql, work: IngestWork, upkeep: ActivityUpkeep): number {
  const p = work.projectId
  const erasedAny = sql.get(ANY_ERASED, [p]) !== undefined
  let stored = 0
  for (const pm of work.messages) {
    const a = pm.args
    if (sql.get(STORED, [p, a.m])) continue
    if (erasedAny && sql.get(SUPPRESSED, [p, a.hu, a.ha, a.hp])) continue
    const run = (text: string) => { const s = named(text, a); sql.run(s.sql, s.args) }
    const target = resolve(sql, pm, upkeep, run)
    const args = { ...a, t: target }
    if (pm.traits) upkeep.flush(target as number)
    else if (target !== null) upkeep.add(target, p, a)
    for (const text of upkeepSql(pm, BY_ID, pm.traits)) {
      const s = named(text, args)
      sql.run(s.sql, s.args)
    }
    stored++
  }
  return stored
}

/** The profile the message lands on, after making whatever identity rows it needs. */
function resolve(sql: SyncSql, pm: PreparedMessage, upkeep: ActivityUpkeep, run: (text: string) => void): number | null {
  const a = pm.args
  const device = () => (pm.device ? sql.get(DEVICE, [a.p, a.a]) as Device | undefined : undefined)
  const userById = () => (sql.get(USER_BY_ID, named(USER_BY_ID, a).args)?.pk ?? null) as number | null

  if (!pm.hasUser) {
    let d = device()
    if (!d || d.user_pk === null) {
      run(CREATE_ANONYMOUS)
      run(UPSERT_ANONYMOUS_DEVICE)
      d = device()
    } else if (deviceDue(d, a, false)) {
      run(UPSERT_ANONYMOUS_DEVICE)
    }
    return d?.user_pk ?? null
  }

  let user = userById()
  const d = device()
  // identify on a device whose profile is not this user's may adopt or merge it; alias merges.
  const simple = pm.type !== 'alias' && !(pm.type === 'identify' && pm.hasAnonymous && (user === null || d?.user_pk !== user))
  if (!simple) {
    // Merges read and delete profiles: nothing of the group may stay pending.
    upkeep.flushAll()
    for (const text of identitySql(pm)) run(text)
    return (sql.get(TARGET_OF, named(TARGET_OF, a).args)?.pk ?? null) as number | null
  }
  if (user === null) {
    run(CREATE_IDENTIFIED)
    user = userById()
  }
  if (pm.device && (!d || deviceDue(d, a, d.user_pk !== user))) run(UPSERT_DEVICE_OF_USER)
  return user
}

/** The device upsert's own WHERE (plan.ts upsertDevice): would it rewrite this row? */
function deviceDue(d: Device, a: Record<string, SqlValue>, ownerChanged: boolean): boolean {
  const ts = Number(a.ts)
  return ownerChanged || ts > d.last_seen + 60000 || ts < d.first_seen
    || (a.userAgent != null && a.userAgent !== d.user_agent)
    || (a.ip != null && a.ip !== d.ip)
}
