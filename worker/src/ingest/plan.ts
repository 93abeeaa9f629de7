import { named } from '../db/named.js'
import type { SqlValue, Stmt } from '../db/types.js'
import { deviceFromContext } from './device.js'
import { userByIdSql } from './identity.js'
import { LIMITS } from './limits.js'
import { mergeStatements } from './merge.js'
import type { Message } from './normalize.js'
import type { DeviceInfo } from './device.js'

/**
 * A validated message ready to write: which statement groups apply and every parameter
 * they bind. Plain data, so that the Node collector can post it to its write thread, which
 * applies it with point lookups (`apply.ts`); the Workers path turns it into the guarded
 * statements below (`planPrepared`). Both run the same SQL for everything but the lookups.
 */
export interface PreparedMessage {
  type: Message['type']
  /** The message has a user id / an anonymous id; `device`: the anonymous id is a device (not alias). */
  hasUser: boolean
  hasAnonymous: boolean
  device: boolean
  /** Sets or clears traits (the full profile update rather than activity only). */
  traits: boolean
  experience: boolean
  response: boolean
  args: Record<string, SqlValue>
}

/** `device` lets a caller parse each distinct user agent once (deviceFromContext) and pass the result. */
export function prepareMessage(projectId: string, m: Message, now: number, idHashes: ReadonlyMap<string, string> = new Map(), device?: DeviceInfo): PreparedMessage {
  const isDevice = m.anonymousId !== null && m.type !== 'alias'
  const hash = (id: string | null) => (id === null ? null : idHashes.get(id) ?? null)
  const args: Record<string, SqlValue> = {
    p: projectId, m: m.messageId, a: m.anonymousId, u: m.userId, prev: m.previousId, ts: m.timestamp, now,
    hu: hash(m.userId), ha: hash(m.anonymousId), hp: hash(m.previousId),
  }
  if (isDevice) Object.assign(args, device ?? deviceFromContext(m.context), { ip: m.ip ?? null })
  const traits = m.email !== undefined || m.displayName !== undefined || Object.keys(m.set).length > 0 || Object.keys(m.setOnce).length > 0
  Object.assign(args, activityArgs(m))
  // Only the profile update reads the traits' parameters; most messages (track, page) have none.
  if (traits) Object.assign(args, traitArgs(m))
  if (m.experience) {
    const e = m.experience
    Object.assign(args, { xid: e.id, xname: e.name ?? null, xaction: e.action, xstep: e.step ?? null, xsteps: e.steps ?? null })
  }
  if (m.response) {
    const r = m.response
    Object.assign(args, { rexp: r.experience, rstep: r.step ?? null, rq: r.question ?? null, ra: typeof r.answer === 'string' ? r.answer : JSON.stringify(r.answer) })
  }
  Object.assign(args, { type: m.type, name: m.name, props: JSON.stringify(m.properties), ctx: JSON.stringify(m.context), integ: m.integrations && JSON.stringify(m.integrations), recv: m.receivedAt })
  return {
    type: m.type, hasUser: m.userId !== null, hasAnonymous: m.anonymousId !== null, device: isDevice,
    traits,
    experience: m.experience !== undefined, response: m.response !== undefined, args,
  }
}

/**
 * Turns one validated message into SQL statements that, run in order inside one
 * transaction, resolve the visitor's identity, keep the profile up to date and store the
 * message exactly once.
 *
 * Why statements and not read-then-write code: the same list commits in one `batch()`
 * round trip on Workers (many isolates write at once). No statement depends on a value
 * read earlier in JS, so concurrent requests cannot act on a stale read: identities are
 * found by natural keys (device anonymous id, user id, alias) inside each statement.
 *
 * Exactly once: every statement is guarded by "this message is not stored yet", and the
 * event row (UNIQUE project + message id) is written last. A retry changes nothing.
 */
export function planMessage(projectId: string, m: Message, now: number, idHashes: ReadonlyMap<string, string> = new Map()): Stmt[] {
  return planPrepared(prepareMessage(projectId, m, now, idHashes))
}

export function planPrepared(pm: PreparedMessage): Stmt[] {
  const sql = [...identitySql(pm), ...upkeepSql(pm, GUARDED_UPKEEP)]
  return sql.map((text) => named(text, pm.args))
}

/** The statements that find or make the message's profile and device, merging where the message says so. */
export function identitySql(pm: PreparedMessage): string[] {
  const sql: string[] = []
  const identifiesDevice = pm.hasAnonymous && pm.type === 'identify'
  if (pm.hasUser) {
    if (identifiesDevice) sql.push(ADOPT_ANONYMOUS_PROFILE)
    sql.push(CREATE_IDENTIFIED)
    if (identifiesDevice) sql.push(...MERGE_DEVICE_PROFILE)
    if (pm.device) sql.push(UPSERT_DEVICE_OF_USER)
    if (pm.type === 'alias') sql.push(...MERGE_PREVIOUS)
  } else {
    sql.push(CREATE_ANONYMOUS, UPSERT_ANONYMOUS_DEVICE)
  }
  return sql
}

/** Profile upkeep, experience records and the event, from one of the statement sets below. */
export function upkeepSql(pm: PreparedMessage, set: UpkeepSql, withProfile = true): string[] {
  const sql: string[] = []
  if (withProfile) sql.push(pm.traits ? set.profile : set.activity)
  if (pm.experience) sql.push(set.interaction, set.countExperiences)
  if (pm.response) sql.push(set.response)
  sql.push(set.event)
  return sql
}

/** The parameters of the activity update (every message's profile upkeep). */
function activityArgs(m: Message): Record<string, SqlValue> {
  return {
    active: m.active ? 1 : 0,
    sid: m.sessionId,
    gap: LIMITS.sessionGapMs,
    counts: m.type === 'track' || m.type === 'page' || m.type === 'screen' ? 1 : 0,
  }
}

/** The profile update's further parameters: native traits, custom attributes with their source. */
function traitArgs(m: Message): Record<string, SqlValue> {
  const meta = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, { s: m.source, t: m.timestamp }]))
  const setMeta: Record<string, unknown> = meta(Object.keys(m.set))
  for (const [k, v] of Object.entries(m.set)) if (v === null) setMeta[k] = null
  if (m.email !== undefined) setMeta.email = m.email === null ? null : { s: m.source, t: m.timestamp }
  if (m.displayName !== undefined) setMeta.name = m.displayName === null ? null : { s: m.source, t: m.timestamp }
  return {
    setEmail: m.email === undefined ? 0 : 1,
    email: m.email ?? null,
    setName: m.displayName === undefined ? 0 : 1,
    uname: m.displayName ?? null,
    attrs: JSON.stringify(m.set),
    once: JSON.stringify(m.setOnce),
    meta: JSON.stringify(setMeta),
    onceMeta: JSON.stringify(meta(Object.keys(m.setOnce))),
  }
}

/**
 * The message is not stored yet, and names no erased id (F-37): guards every statement, so
 * a retry is a no-op, and so is a message the collector found clean just before an erase
 * of one of its ids committed (its hashes come from `idHashes`; without them, no check).
 */
const NEW = `NOT EXISTS (SELECT 1 FROM events WHERE project_id = :p AND message_id = :m)
  AND NOT EXISTS (SELECT 1 FROM suppressions WHERE project_id = :p AND id_hash IN (:hu, :ha, :hp))`
/** The profile the device (Jimer ID) belongs to. */
const DEVICE_USER = `(SELECT user_pk FROM devices WHERE project_id = :p AND anonymous_id = :a)`
const USER = userByIdSql
const TARGET_USER = USER(':u')
const IS_ANONYMOUS = (pk: string) => `(SELECT user_id FROM users WHERE id = ${pk}) IS NULL`

/** Identify on a device whose profile is still anonymous, for a new user id: the profile takes the id. */
const ADOPT_ANONYMOUS_PROFILE = `UPDATE users SET user_id = :u, updated_at = :now
  WHERE id = ${DEVICE_USER} AND project_id = :p AND user_id IS NULL AND ${TARGET_USER} IS NULL AND ${NEW}`

/** New profiles are never seen (first / last seen 0) until an active message; ACTIVITY, right after, sets them. */
export const CREATE_IDENTIFIED = `INSERT INTO users (project_id, user_id, created_at, first_seen, last_seen, updated_at)
  SELECT :p, :u, :ts, 0, 0, :now WHERE ${TARGET_USER} IS NULL AND ${NEW}`

/** Identify on a device whose anonymous profile differs from the user's: fold it in (F-11). */
const MERGE_DEVICE_PROFILE = mergeStatements(
  DEVICE_USER, TARGET_USER,
  `${DEVICE_USER} IS NOT NULL AND ${DEVICE_USER} <> ${TARGET_USER} AND ${IS_ANONYMOUS(DEVICE_USER)} AND ${NEW}`,
  true,
)

/** alias(previousId → userId): the profile known by the previous id, anonymous or not, folds in. */
const MERGE_PREVIOUS = [
  ...mergeStatements(USER(':prev'), TARGET_USER, `${USER(':prev')} IS NOT NULL AND ${USER(':prev')} <> ${TARGET_USER} AND ${NEW}`, false),
  // previousId may be a Jimer ID rather than a user id.
  ...mergeStatements(
    `(SELECT user_pk FROM devices WHERE project_id = :p AND anonymous_id = :prev)`, TARGET_USER,
    `(SELECT user_pk FROM devices WHERE project_id = :p AND anonymous_id = :prev) <> ${TARGET_USER} AND ${IS_ANONYMOUS('(SELECT user_pk FROM devices WHERE project_id = :p AND anonymous_id = :prev)')} AND ${NEW}`,
    true,
  ),
  `INSERT INTO aliases (project_id, alias, user_pk) SELECT :p, :prev, ${TARGET_USER}
    WHERE ${NEW} AND NOT EXISTS (SELECT 1 FROM users WHERE project_id = :p AND user_id = :prev)
    ON CONFLICT (project_id, alias) DO UPDATE SET user_pk = excluded.user_pk`,
]

/** A new device's anonymous profile, made before the device row so that it is inserted linked. */
export const CREATE_ANONYMOUS = `INSERT INTO users (project_id, anonymous_id, created_at, first_seen, last_seen, updated_at)
  SELECT :p, :a, :ts, 0, 0, :now WHERE ${DEVICE_USER} IS NULL AND ${USER(':a')} IS NULL AND ${NEW}
  ON CONFLICT (project_id, anonymous_id) WHERE anonymous_id IS NOT NULL DO NOTHING`

/**
 * The device row (F-07). It is rewritten only when it changes hands, its browser changes,
 * or a minute has passed since its last seen time: most calls from a page leave it alone,
 * which keeps the hot path to one index lookup here.
 */
const upsertDevice = (userPk: string, owner: string, ownerChanged: string) => `INSERT INTO devices (project_id, anonymous_id, user_pk, browser, browser_version, os, os_version, device_type, user_agent, language, timezone, screen, ip, first_seen, last_seen)
  SELECT :p, :a, ${userPk}, :browser, :browserVersion, :os, :osVersion, :deviceType, :userAgent, :language, :timezone, :screen, :ip, :ts, :ts WHERE ${NEW}
  ON CONFLICT (project_id, anonymous_id) DO UPDATE SET
    user_pk = ${owner},
    browser = coalesce(excluded.browser, browser), browser_version = coalesce(excluded.browser_version, browser_version),
    os = coalesce(excluded.os, os), os_version = coalesce(excluded.os_version, os_version),
    device_type = coalesce(excluded.device_type, device_type), user_agent = coalesce(excluded.user_agent, user_agent),
    language = coalesce(excluded.language, language), timezone = coalesce(excluded.timezone, timezone), screen = coalesce(excluded.screen, screen),
    ip = coalesce(excluded.ip, ip),
    first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
  WHERE ${ownerChanged} OR excluded.last_seen > devices.last_seen + 60000 OR excluded.first_seen < devices.first_seen
    OR excluded.user_agent IS NOT NULL AND excluded.user_agent IS NOT devices.user_agent
    OR excluded.ip IS NOT NULL AND excluded.ip IS NOT devices.ip`

/** A Jimer ID already aliased to a user (alias() before its first event) is that user's device. */
export const UPSERT_ANONYMOUS_DEVICE = upsertDevice(
  `coalesce((SELECT id FROM users WHERE project_id = :p AND anonymous_id = :a), ${USER(':a')})`,
  'coalesce(devices.user_pk, excluded.user_pk)',
  'devices.user_pk IS NULL',
)

/** The device now belongs to this user (a new device, or one last used by someone else). */
export const UPSERT_DEVICE_OF_USER = upsertDevice(TARGET_USER, 'excluded.user_pk', 'devices.user_pk IS NOT excluded.user_pk')

/** The profile the message lands on, and the guard of the statement plan. */
export const TARGET = `coalesce(${TARGET_USER}, ${DEVICE_USER})`

/**
 * Profile upkeep (F-05, F-12). First and last seen follow activity only (track, page,
 * screen): 0 means never seen (issue 14) — an identify from a server, an import or the
 * dashboard makes a profile nobody has seen yet. Sessions: the snippet sends its session id; server calls
 * without one start a session after 30 minutes of inactivity. setOnce patches under the
 * existing attributes, set patches over them (a null value removes the key).
 */
const ACTIVITY = `first_seen = CASE WHEN NOT :active THEN first_seen WHEN first_seen = 0 THEN :ts ELSE min(first_seen, :ts) END,
    last_seen = CASE WHEN :active THEN max(last_seen, :ts) ELSE last_seen END,
    sessions = sessions + CASE
      WHEN NOT :active THEN 0
      WHEN :sid IS NOT NULL THEN last_session_id IS NOT :sid
      ELSE sessions = 0 OR :ts > last_seen + :gap END,
    last_session_id = CASE WHEN :active AND :sid IS NOT NULL THEN :sid ELSE last_session_id END,
    events_count = events_count + :counts`

/** Most messages (track, page) change only the activity counters: a lighter statement. */
const updateActivity = (target: string, guard: string) => `UPDATE users SET ${ACTIVITY}, updated_at = :now WHERE id = ${target} AND project_id = :p AND ${guard}`

const updateProfile = (target: string, guard: string) => `UPDATE users SET
    ${ACTIVITY},
    email = CASE WHEN :setEmail THEN :email ELSE email END,
    name = CASE WHEN :setName THEN :uname ELSE name END,
    attributes = json_patch(json_patch(:once, attributes), :attrs),
    attribute_meta = json_patch(json_patch(:onceMeta, attribute_meta), :meta),
    updated_at = :now
  WHERE id = ${target} AND project_id = :p AND ${guard}`

const insertInteraction = (target: string, guard: string) => `INSERT INTO interactions (project_id, user_pk, experience_id, experience_name, action, step, steps, timestamp, message_id)
  SELECT :p, ${target}, :xid, :xname, :xaction, :xstep, :xsteps, :ts, :m WHERE ${guard}`

const countExperiences = (target: string, guard: string) => `UPDATE users SET experiences_seen = (SELECT count(DISTINCT experience_id) FROM interactions WHERE project_id = :p AND user_pk = users.id AND action = 'seen')
  WHERE id = ${target} AND project_id = :p AND ${guard}`

const insertResponse = (target: string, guard: string) => `INSERT INTO responses (project_id, user_pk, experience_id, step, question, answer, timestamp, message_id)
  SELECT :p, ${target}, :rexp, :rstep, :rq, :ra, :ts, :m WHERE ${guard}`

/**
 * Last. A new message whose profile is NULL breaks NOT NULL and fails loudly rather than
 * dropping the message. A duplicate is skipped before its profile is looked for: the
 * guards above created no profile for it, and a NULL there must not fail the request
 * (a message id reused by another, new visitor would otherwise fail its batch on every retry).
 */
const insertEvent = (target: string, guard: string) => `INSERT INTO events (${EVENT_COLUMNS.map(([c]) => c).join(', ')})
  SELECT ${EVENT_COLUMNS.map(([, v]) => (v === 't' ? target : `:${v}`)).join(', ')} WHERE ${guard}
  ON CONFLICT (project_id, message_id) DO NOTHING`
/** An event row's columns and the plan parameter each is written from (`t`: the profile); the write thread's held rows use the same (event-rows.ts). */
export const EVENT_COLUMNS = [
  ['project_id', 'p'], ['user_pk', 't'], ['anonymous_id', 'a'], ['type', 'type'], ['name', 'name'], ['properties', 'props'],
  ['context', 'ctx'], ['integrations', 'integ'], ['timestamp', 'ts'], ['received_at', 'recv'], ['message_id', 'm'],
] as const

/**
 * The upkeep statements on the profile `target` (SQL), each guarded by `guard`: the plan's
 * find the profile by natural keys under the NEW guard; Node's write thread binds the
 * profile it looked up (`:t`) after checking the guard once.
 */
export function upkeepStatements(target: string, guard: string) {
  return {
    activity: updateActivity(target, guard),
    profile: updateProfile(target, guard),
    interaction: insertInteraction(target, guard),
    countExperiences: countExperiences(target, guard),
    response: insertResponse(target, guard),
    event: insertEvent(target, guard),
  }
}
export type UpkeepSql = ReturnType<typeof upkeepStatements>
const GUARDED_UPKEEP = upkeepStatements(TARGET, NEW)
