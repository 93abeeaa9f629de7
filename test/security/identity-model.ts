import type { Client } from '@libsql/client'
import { idHash } from '../../worker/src/users/erase.js'
import type { Ids, Message, Outcome } from './identity-programs.js'

/**
 * The model of the identity race test: what must hold of the final database whatever order
 * the concurrent requests took effect in. It is built from the acknowledged messages only
 * (the answers), never from the order they were sent in.
 *
 * Identity classes (union-find): alias(prev → u) always makes prev and u one person; a
 * device (Jimer ID) that only one user ever claimed (identify(device, u) or alias(device → u))
 * is that user's. A device claimed by two users is a shared device: it ends with one of
 * them, and its anonymous history with one of them. Erasure (F-37) removes a class and
 * suppresses its ids; which ids were erased is read from `suppressions` at the end. An
 * acknowledged message that names an erased id may have taken effect before the erase or
 * been dropped (it raced the erase), so only the other messages join classes.
 */

interface Snapshot {
  users: { id: number; userId: string | null; anonymousId: string | null; attributes: Record<string, unknown>; eventsCount: number }[]
  devices: Map<string, number | null>
  aliases: Map<string, number>
  events: Map<string, { pk: number; type: string }[]>
  suppressed: Set<string>
  /** Rows anywhere in the database that point at a profile that does not exist. */
  orphans: string[]
}

const mine = (column: string) => `substr(${column}, 1, length(:prefix)) = :prefix`

async function snapshot(db: Client, projectId: string, ids: Ids): Promise<Snapshot> {
  const args = { p: projectId, prefix: ids.prefix }
  const [users, devices, aliases, events] = await db.batch([
    { sql: `SELECT id, user_id, anonymous_id, attributes, events_count FROM users WHERE project_id = :p AND (${mine('user_id')} OR ${mine('anonymous_id')})`, args },
    { sql: `SELECT anonymous_id, user_pk FROM devices WHERE project_id = :p AND ${mine('anonymous_id')}`, args },
    { sql: `SELECT alias, user_pk FROM aliases WHERE project_id = :p AND ${mine('alias')}`, args },
    { sql: `SELECT message_id, user_pk, type FROM events WHERE project_id = :p AND ${mine('message_id')}`, args },
  ], 'read')
  const all = [...ids.users, ...ids.devices, ...ids.names]
  const hashes = await Promise.all(all.map(idHash))
  const supp = await db.execute({ sql: `SELECT id_hash FROM suppressions WHERE project_id = ? AND id_hash IN (${hashes.map(() => '?').join(', ')})`, args: [projectId, ...hashes] })
  const hit = new Set(supp.rows.map((r) => String(r.id_hash)))
  const orphans: string[] = []
  for (const table of ['events', 'devices', 'aliases', 'interactions', 'responses', 'user_tags', 'segment_members']) {
    // segment_members is clustered on its key (no rowid).
    const { rows } = await db.execute(`SELECT ${table === 'segment_members' ? "segment_id || '/' || user_pk" : 'rowid'} AS r, user_pk FROM ${table} WHERE user_pk IS NOT NULL AND user_pk NOT IN (SELECT id FROM users)`)
    for (const r of rows) orphans.push(`${table} row ${r.r} points at missing user ${r.user_pk}`)
  }
  const events_ = new Map<string, { pk: number; type: string }[]>()
  for (const r of events.rows) {
    const list = events_.get(String(r.message_id)) ?? []
    list.push({ pk: Number(r.user_pk), type: String(r.type) })
    events_.set(String(r.message_id), list)
  }
  return {
    users: users.rows.map((r) => ({
      id: Number(r.id), userId: r.user_id as string | null, anonymousId: r.anonymous_id as string | null,
      attributes: JSON.parse(String(r.attributes)), eventsCount: Number(r.events_count),
    })),
    devices: new Map(devices.rows.map((r) => [String(r.anonymous_id), r.user_pk == null ? null : Number(r.user_pk)])),
    aliases: new Map(aliases.rows.map((r) => [String(r.alias), Number(r.user_pk)])),
    events: events_,
    suppressed: new Set(all.filter((_, i) => hit.has(hashes[i]))),
    orphans,
  }
}

class UnionFind {
  private parent = new Map<string, string>()
  find(x: string): string {
    let p = this.parent.get(x) ?? x
    if (p !== x) this.parent.set(x, (p = this.find(p)))
    return p
  }
  union(a: string, b: string) { this.parent.set(this.find(a), this.find(b)) }
}

const idsOf = (m: Message) => [m.userId, m.anonymousId, m.previousId].filter((x): x is string => x !== undefined)

/** Compares the final database with the model; returns what does not hold (empty when all is well). */
export async function modelProblems(db: Client, projectId: string, ids: Ids, out: Outcome): Promise<string[]> {
  const s = await snapshot(db, projectId, ids)
  const problems: string[] = [...out.unexpected, ...s.orphans]
  const erased = (id: string) => s.suppressed.has(id)
  const acked = [...out.messages.values()].filter((e) => e.answers.includes('ok')).map((e) => e.message)
  // An acknowledged message that names an erased id may have taken effect before the erase,
  // or been dropped by its guard when the erase committed first (the collector checked
  // before). Only the others are certain to have taken effect.
  const certain = acked.filter((m) => !idsOf(m).some(erased))
  const byPk = new Map(s.users.map((u) => [u.id, u]))

  /** The profiles a user id (or alias name) names: its own row and its alias, which must agree. */
  const named = (id: string) => new Set([...s.users.filter((u) => u.userId === id).map((u) => u.id), ...(s.aliases.has(id) ? [s.aliases.get(id)!] : [])])
  const deviceProfile = (d: string) => s.devices.get(d) ?? null
  const one = (set: Set<number>) => (set.size === 1 ? [...set][0] : null)

  // Answers: a refusal is only ever "this user was erased", for an id that is suppressed.
  for (const { message, answers } of out.messages.values()) {
    for (const a of answers) {
      if (a === 'ok') continue
      if (a !== 'user_erased') problems.push(`${message.messageId} refused with ${a}`)
      else if (!idsOf(message).some(erased)) problems.push(`${message.messageId} refused as erased, but none of ${idsOf(message).join(', ')} is suppressed`)
    }
  }
  if (s.suppressed.size && !out.deletes.some((d) => d.status === 204)) problems.push(`ids suppressed without a delete: ${[...s.suppressed].join(', ')}`)

  // Who claimed each device, and the identity classes.
  // A device claimed by a message that may not have taken effect counts as shared: its owner is not known.
  const claims = new Map<string, Set<string>>()
  const maybeClaimed = new Set<string>()
  const claim = (d: string, u: string, m: Message) => {
    claims.set(d, (claims.get(d) ?? new Set()).add(u))
    if (!certain.includes(m)) maybeClaimed.add(d)
  }
  const uf = new UnionFind()
  for (const m of acked) {
    if (m.type === 'identify' && m.anonymousId && m.userId) claim(m.anonymousId, m.userId, m)
    if (m.type === 'alias' && ids.devices.includes(m.previousId!)) claim(m.previousId!, m.userId!, m)
  }
  for (const m of certain) if (m.type === 'alias') uf.union('n:' + m.previousId, 'n:' + m.userId)
  const shared = (d: string) => (claims.get(d)?.size ?? 0) > 1 || maybeClaimed.has(d)
  for (const [d, users] of claims) if (!shared(d)) uf.union('d:' + d, 'n:' + [...users][0])
  // What may be one person: the certain classes, joined also by the acknowledged aliases that
  // may have taken effect (one naming an id erased later, say a device that had moved to the
  // erased user, may have merged its two users before the erase).
  const mayJoin = new UnionFind()
  for (const m of acked) if (m.type === 'alias') mayJoin.union('n:' + m.previousId, 'n:' + m.userId)
  for (const [d, users] of claims) if (!shared(d)) mayJoin.union('d:' + d, 'n:' + [...users][0])
  const sameMaybe = (a: string, b: string) => mayJoin.find(a) === mayJoin.find(b)

  /** Profiles a shared device's history may end on: its claimers'. */
  const claimersProfiles = (d: string) => new Set([...claims.get(d)!].flatMap((u) => [...named(u)]))

  // No duplicate profiles: an id names at most one profile (its own row and an alias never disagree).
  for (const id of [...ids.users, ...ids.names, ...ids.devices]) {
    const pks = named(id)
    if (pks.size > 1) problems.push(`duplicate profiles: ${id} names ${[...pks].join(' and ')}`)
    // A shared device may keep an alias on a claimer's profile when the other claimer is erased.
    if (pks.size && erased(id) && !shared(id)) problems.push(`erased id ${id} still names profile ${[...pks][0]}`)
  }

  // An erased device keeps no device row, unless it was shared and lives on with another claimer.
  for (const d of ids.devices) if (erased(d) && s.devices.has(d) && !shared(d)) problems.push(`erased device ${d} still has a device row`)

  // Every id of a message that surely took effect names one live profile (its ids are not erased).
  const nodes = new Map<string, string>()
  for (const m of certain) {
    if (m.userId) nodes.set('n:' + m.userId, m.userId)
    if (m.previousId) nodes.set('n:' + m.previousId, m.previousId)
    if (m.anonymousId) nodes.set('d:' + m.anonymousId, m.anonymousId)
  }
  const profileOf = (node: string): number | null => (node.startsWith('d:') ? deviceProfile(node.slice(2)) : one(named(node.slice(2))))
  for (const [node, id] of nodes) {
    if (profileOf(node) === null) problems.push(`${node.startsWith('d:') ? 'device' : 'id'} ${id} was acknowledged but names no profile (and is not suppressed)`)
    else if (!byPk.has(profileOf(node)!)) problems.push(`${id} names missing profile ${profileOf(node)}`)
  }

  // One class, one profile; two classes, two profiles. Shared devices are checked on their own.
  const classes = new Map<string, string[]>()
  for (const node of nodes.keys()) {
    if (node.startsWith('d:') && shared(node.slice(2))) continue
    const root = uf.find(node)
    classes.set(root, [...(classes.get(root) ?? []), node])
  }
  const owner = new Map<number, { label: string; root: string }>()
  for (const [root, members] of classes) {
    const pks = new Set(members.map(profileOf).filter((pk): pk is number => pk !== null))
    const label = members.map((n) => nodes.get(n)).join(', ')
    if (pks.size > 1) problems.push(`one identity split across profiles ${[...pks].join(', ')}: ${members.map((n) => `${nodes.get(n)}→${profileOf(n)}`).join(', ')}`)
    for (const pk of pks) {
      const other = owner.get(pk)
      if (other && !sameMaybe(other.root, root)) problems.push(`profile ${pk} holds two identities: {${other.label}} and {${label}}`)
      owner.set(pk, { label, root })
    }
  }
  for (const d of claims.keys()) {
    if (!shared(d) || erased(d) || !s.devices.has(d)) continue
    if ([...claims.get(d)!].some(erased)) continue
    const pk = deviceProfile(d)
    if (pk === null || !claimersProfiles(d).has(pk)) problems.push(`shared device ${d} is on profile ${pk}, not one of its claimers' (${[...claims.get(d)!].join(', ')})`)
  }

  /** Where a message's event and traits must be: the user's profile, or the device's (a shared one: a claimer's). */
  const expectedProfiles = (m: Message): Set<number> | null => {
    if (idsOf(m).some(erased)) return null
    if (m.userId) return named(m.userId)
    const d = m.anonymousId!
    if (shared(d)) return [...claims.get(d)!].some(erased) ? null : claimersProfiles(d)
    const pk = deviceProfile(d)
    return new Set(pk === null ? [] : [pk])
  }

  // Every acknowledged message stored exactly once, on its identity's profile; nothing refused is stored.
  const ackedIds = new Set(acked.map((m) => m.messageId))
  for (const id of s.events.keys()) if (!ackedIds.has(id)) problems.push(`event ${id} stored but never acknowledged`)
  for (const m of acked) {
    const stored = s.events.get(m.messageId) ?? []
    const where = expectedProfiles(m)
    if (stored.length > 1) problems.push(`${m.messageId} stored ${stored.length} times`)
    if (where === null) continue
    if (stored.length === 0) problems.push(`${m.messageId} (${m.type} ${idsOf(m).join(' ')}) acknowledged but not stored`)
    else if (!where.has(stored[0].pk)) problems.push(`${m.messageId} (${m.type} ${idsOf(m).join(' ')}) is on profile ${stored[0].pk}, expected ${[...where].join(' or ') || 'none'}`)
  }

  // No lost attribute writes: each trait key is written once, so its value is exact.
  for (const m of acked) {
    for (const [k, v] of Object.entries(m.traits ?? {})) {
      const holders = s.users.filter((u) => k in u.attributes)
      if (holders.length > 1) problems.push(`trait ${k} on ${holders.length} profiles`)
      const where = expectedProfiles(m)
      if (where === null) continue
      const on = holders.find((u) => u.attributes[k] === v)
      if (!on) problems.push(`lost write: ${k}=${v} (${m.messageId}, ${idsOf(m).join(' ')}) is on no profile`)
      else if (!where.has(on.id)) problems.push(`${k}=${v} (${m.messageId}) is on profile ${on.id}, expected ${[...where].join(' or ') || 'none'}`)
    }
  }

  // Profile upkeep happened once per stored message: counters agree with the events; an
  // anonymous profile is always some device's.
  const tracked = new Map<number, number>()
  for (const list of s.events.values()) for (const e of list) if (e.type === 'track') tracked.set(e.pk, (tracked.get(e.pk) ?? 0) + 1)
  const deviceOwners = new Set(s.devices.values())
  for (const u of s.users) {
    if (u.eventsCount !== (tracked.get(u.id) ?? 0)) problems.push(`profile ${u.id} counts ${u.eventsCount} events but holds ${tracked.get(u.id) ?? 0}`)
    if (u.userId === null && !deviceOwners.has(u.id)) problems.push(`anonymous profile ${u.id} (${u.anonymousId}) belongs to no device`)
  }
  return problems
}
