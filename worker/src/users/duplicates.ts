import type { Db } from '../db/types.js'

/**
 * The duplicate finder (issue 16): identified profiles that are likely one person, in
 * groups, for the Duplicates screen. Two rules, both in SQL over the project's users:
 * - the same email once normalised: spaces trimmed, ASCII letters folded (as SQLite's
 *   lower() and every other case-insensitive match in Jimer fold them), and a `+tag` in
 *   the local part dropped (`ann+news@acme.io` is `ann@acme.io`: RFC 5233 sub-addressing,
 *   which the big providers deliver to the same mailbox). Dots are kept: only some
 *   providers ignore them, and `a.b@` and `ab@` are different people elsewhere.
 * - the same user id across aliases: a profile whose user id is an alias of another
 *   profile (two profiles answering to one id: an import, or a merge of the past).
 * Pairs are joined into groups (a person with three profiles is one group).
 */

/** The normalised email, as SQL over `u.email`. */
export const NORMAL_EMAIL = `(CASE WHEN instr(trim(u.email), '+') > 0 AND instr(trim(u.email), '+') < instr(trim(u.email), '@')
  THEN lower(substr(trim(u.email), 1, instr(trim(u.email), '+') - 1) || substr(trim(u.email), instr(trim(u.email), '@')))
  ELSE lower(trim(u.email)) END)`

/** The same rules in JS, for tests and the README's examples. */
export function normalEmail(email: string): string {
  const e = email.trim()
  const plus = e.indexOf('+')
  const at = e.indexOf('@')
  const cut = plus > -1 && plus < at ? e.slice(0, plus) + e.slice(at) : e
  return cut.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

export interface DuplicateUser { id: number; userId: string | null; email: string | null; name: string | null; firstSeen: number; lastSeen: number; eventsCount: number; sessions: number }
export interface DuplicateGroup { reasons: string[]; users: DuplicateUser[] }

export async function findDuplicates(db: Db, projectId: string, limit = 100): Promise<DuplicateGroup[]> {
  const [byEmail, byAlias] = await db.batch([
    {
      sql: `WITH n AS (SELECT u.id, ${NORMAL_EMAIL} AS e FROM users u WHERE u.project_id = ?1 AND u.email IS NOT NULL AND trim(u.email) <> '')
            SELECT e, group_concat(id) AS ids FROM n GROUP BY e HAVING count(*) > 1 ORDER BY e LIMIT ?2`,
      args: [projectId, limit],
    },
    {
      sql: `SELECT u.id AS a, x.user_pk AS b, u.user_id AS uid FROM users u JOIN aliases x ON x.project_id = u.project_id AND x.alias = u.user_id AND x.user_pk <> u.id
            WHERE u.project_id = ?1 LIMIT ?2`,
      args: [projectId, limit],
    },
  ], 'read')
  // Union-find over the pairs, each group remembering why its members are together.
  const parent = new Map<number, number>()
  const root = (x: number): number => {
    const p = parent.get(x) ?? x
    if (p === x) return x
    const r = root(p)
    parent.set(x, r)
    return r
  }
  const why = new Map<number, string[]>()
  const join = (ids: number[], reason: string) => {
    const [first, ...rest] = ids.map(root)
    for (const r of rest) if (r !== first) parent.set(r, first)
    for (const id of ids) why.set(id, [...(why.get(id) ?? []), reason])
  }
  for (const r of byEmail.rows) join(String(r.ids).split(',').map(Number), `same email ${String(r.e)}`)
  for (const r of byAlias.rows) join([Number(r.a), Number(r.b)], `same user id ${String(r.uid)}`)
  const pks = [...why.keys()]
  if (!pks.length) return []
  const { rows } = await db.execute({
    sql: `SELECT id, user_id, email, name, first_seen, last_seen, events_count, sessions FROM users WHERE project_id = ? AND id IN (SELECT value FROM json_each(?))`,
    args: [projectId, JSON.stringify(pks)],
  })
  const groups = new Map<number, DuplicateGroup>()
  for (const r of rows) {
    const id = Number(r.id)
    const g = groups.get(root(id)) ?? { reasons: [], users: [] }
    groups.set(root(id), g)
    g.users.push({ id, userId: (r.user_id as string | null) ?? null, email: (r.email as string | null) ?? null, name: (r.name as string | null) ?? null, firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen), eventsCount: Number(r.events_count), sessions: Number(r.sessions) })
    for (const w of why.get(id) ?? []) if (!g.reasons.includes(w)) g.reasons.push(w)
  }
  // Within a group, the profile to keep first: identified by a user id, then the oldest.
  for (const g of groups.values()) g.users.sort((a, b) => Number(b.userId !== null) - Number(a.userId !== null) || (a.firstSeen || Infinity) - (b.firstSeen || Infinity) || a.id - b.id)
  return [...groups.values()].filter((g) => g.users.length > 1)
}
