import type { Db } from '../db/types.js'

/** The projects an account is a member of, with its role in each: the project switcher's list. */
export async function projectsOf(db: Db, accountId: string): Promise<{ id: string; name: string; role: string }[]> {
  const { rows } = await db.execute({
    sql: `SELECT p.id, p.name, m.role FROM project_members m JOIN projects p ON p.id = m.project_id WHERE m.account_id = ? ORDER BY p.name, p.id`,
    args: [accountId],
  })
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), role: String(r.role) }))
}
