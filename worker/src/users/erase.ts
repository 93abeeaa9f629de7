import type { Db, Stmt } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'
import { eraseMemberships } from '../segments/membership.js'

/**
 * Permanently deletes a user and everything about them (F-37): events, devices (Jimer
 * IDs), aliases, tags, segment memberships (member counts follow), interactions,
 * responses, and import error rows that quote their ids or email. Their identifiers are
 * kept only as hashes in `suppressions`, so nothing sent later under them is stored. One
 * atomic write.
 *
 * The ids are read before that write, and an identify or alias may commit in between and
 * bring another id into the profile (a device, an alias, a user id on an adopted anonymous
 * profile): erased with the rest but never suppressed, or merged in after the erase read.
 * So the write applies only if the profile still holds no id it does not know, and the
 * whole erase is tried again when it did not apply.
 */
export async function eraseUser(db: Db, writer: Writer, projectId: string, pk: number, now: number): Promise<'erased' | 'not_found' | 'busy'> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const plan = await eraseUserStatements(db, projectId, pk, now)
    if (!plan) return 'not_found'
    await writer.write(plan.stmts)
    if (plan.ids.length && (await suppressedIds(db, projectId, await idHashes(plan.ids))).size === plan.ids.length) return 'erased'
    const { rows } = await db.execute({ sql: 'SELECT 1 FROM users WHERE project_id = ? AND id = ?', args: [projectId, pk] })
    // Gone without our ids suppressed: merged into another profile meanwhile, whose erase this is not.
    if (!rows.length) return plan.ids.length ? 'not_found' : 'erased'
  }
  return 'busy'
}

/** The profile holds no id but these (`:known`, a JSON array), and still exists: guards every statement of the erase. */
const UNCHANGED = `EXISTS (SELECT 1 FROM users WHERE project_id = :p AND id = :u)
  AND NOT EXISTS (SELECT 1 FROM users WHERE project_id = :p AND id = :u
    AND (user_id NOT IN (SELECT value FROM json_each(:known)) OR anonymous_id NOT IN (SELECT value FROM json_each(:known))))
  AND NOT EXISTS (SELECT 1 FROM devices WHERE project_id = :p AND user_pk = :u AND anonymous_id NOT IN (SELECT value FROM json_each(:known)))
  AND NOT EXISTS (SELECT 1 FROM aliases WHERE project_id = :p AND user_pk = :u AND alias NOT IN (SELECT value FROM json_each(:known)))`

/** The erase as one guarded write, with the ids it suppresses; null when there is no such user. */
export async function eraseUserStatements(db: Db, projectId: string, pk: number, now: number): Promise<{ stmts: Stmt[]; ids: string[] } | null> {
  const read = { p: projectId, u: pk }
  const [user, devices, aliases] = await db.batch([
    { sql: 'SELECT user_id, anonymous_id, email FROM users WHERE project_id = :p AND id = :u', args: read },
    { sql: 'SELECT anonymous_id FROM devices WHERE project_id = :p AND user_pk = :u', args: read },
    { sql: 'SELECT alias FROM aliases WHERE project_id = :p AND user_pk = :u', args: read },
  ], 'read')
  const u = user.rows[0]
  if (!u) return null
  const all = [u.user_id, u.anonymous_id, ...devices.rows.map((r) => r.anonymous_id), ...aliases.rows.map((r) => r.alias)]
    .filter((v): v is string => typeof v === 'string')
  const ids = [...new Set(all.filter((v) => v !== ''))]
  const quoted = [...ids, ...(typeof u.email === 'string' ? [u.email] : [])]
  const args = { ...read, known: JSON.stringify([...new Set(all)]) }
  // `+project_id`: found by user, never by a project-leading index (on events it would read the project's every event).
  const from = (table: string) => ({ sql: `DELETE FROM ${table} WHERE +project_id = :p AND user_pk = :u AND ${UNCHANGED}`, args })
  const hashes = await idHashes(ids)
  const stmts = [
    // Memberships (counts follow by trigger) and the ledger's rows of her.
    ...eraseMemberships(UNCHANGED, { ...args, now }),
    // Webhook payloads quote her ids, email and name: undelivered ones are not sent, the log forgets her.
    from('webhook_deliveries'),
    // A merge record holds the erased user's rows (either side): it goes with them, and the merge can no longer be undone.
    { sql: `DELETE FROM user_merges WHERE project_id = :p AND (kept_pk = :u OR merged_pk = :u) AND ${UNCHANGED}`, args },
    from('events'), from('devices'), from('aliases'), from('user_tags'), from('interactions'), from('responses'),
    ...(quoted.length ? [{
      sql: `DELETE FROM import_errors WHERE import_id IN (SELECT id FROM imports WHERE project_id = :p) AND value IN (SELECT value FROM json_each(:quoted)) AND ${UNCHANGED}`,
      args: { ...args, quoted: JSON.stringify(quoted) },
    }] : []),
    ...ids.map((id) => ({
      sql: `INSERT INTO suppressions (project_id, id_hash, created_at) SELECT :p, :hash, :now WHERE ${UNCHANGED} ON CONFLICT DO NOTHING`,
      args: { ...args, hash: hashes.get(id)!, now },
    })),
    // Last: every guard above needs the profile.
    { sql: `DELETE FROM users WHERE project_id = :p AND id = :u AND ${UNCHANGED}`, args },
    // The change journal's entries of her go too (its delete entry included): readers of the
    // journal learn of an erasure from the project's suppressions instead (segments/columns.ts).
    { sql: `DELETE FROM user_changes WHERE project_id = :p AND user_pk = :u AND NOT EXISTS (SELECT 1 FROM users WHERE id = :u)`, args },
  ]
  return { stmts, ids }
}

/** SHA-256 of an identifier, hex: what `suppressions` keeps of an erased user's ids. */
export async function idHash(id: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id)))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The hash of each id, by id: computed once per request, for the check below and for planMessage's guard. */
export async function idHashes(ids: string[]): Promise<Map<string, string>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await idHash(id)] as const)))
}

/** Which of these ids (with their hashes) belong to erased users of the project (one indexed read; none for most requests). */
export async function suppressedIds(db: Db, projectId: string, hashes: Map<string, string>): Promise<Set<string>> {
  if (!hashes.size) return new Set()
  const { rows } = await db.execute({ sql: `SELECT id_hash FROM suppressions WHERE project_id = ? AND id_hash IN (${[...hashes].map(() => '?').join(', ')})`, args: [projectId, ...hashes.values()] })
  const hit = new Set(rows.map((r) => String(r.id_hash)))
  return new Set([...hashes].filter(([, h]) => hit.has(h)).map(([id]) => id))
}
