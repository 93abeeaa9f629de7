/**
 * A user's rows of `segment_members` (or `segment_ledger`), as SQL over the given
 * expressions for the project and the user pk: found per segment of the project on the
 * table's (segment_id, user_pk, …) key. Neither table has an index by user alone
 * (migrations 0012, 0013): a recompute's new rows would land on nearly every page of one,
 * so a user's memberships are looked up through the project's segments instead — one
 * probe per segment, each a key lookup.
 *
 * @example `DELETE FROM segment_members WHERE ${memberOf(':p', ':u')}`
 */
export function memberOf(project: string, user: string, alias = ''): string {
  const col = alias ? `${alias}.` : ''
  return `${col}segment_id IN (SELECT id FROM segments WHERE project_id = ${project}) AND ${col}user_pk = ${user} AND ${col}project_id = ${project}`
}
