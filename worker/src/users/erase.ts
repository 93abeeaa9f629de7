import type { Stmt } from '../db/types.js'

/**
 * Permanently deletes a user and everything about them (F-37): events, devices (Jimer
 * IDs), aliases, tags, segment memberships (member counts follow), interactions and
 * responses. One atomic write.
 */
export function eraseUserStatements(projectId: string, pk: number): Stmt[] {
  const args = { p: projectId, u: pk }
  const from = (table: string) => ({ sql: `DELETE FROM ${table} WHERE project_id = :p AND user_pk = :u`, args })
  return [
    { sql: `UPDATE segments SET member_count = member_count - 1 WHERE project_id = :p AND id IN (SELECT segment_id FROM segment_members WHERE project_id = :p AND user_pk = :u)`, args },
    from('segment_members'), from('events'), from('devices'), from('aliases'), from('user_tags'), from('interactions'), from('responses'),
    { sql: `DELETE FROM users WHERE project_id = :p AND id = :u`, args },
  ]
}
