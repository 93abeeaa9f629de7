/**
 * How a user id names a profile, as SQL: the one definition the collector (plan.ts) and
 * the importer (imports/chunk.ts) both resolve identities with. `:p` is the project.
 */

/** The profile a user id names, directly or through an alias (alias() and merged-away ids). */
export const userByIdSql = (id: string) =>
  `coalesce((SELECT id FROM users WHERE project_id = :p AND user_id = ${id}), (SELECT user_pk FROM aliases WHERE project_id = :p AND alias = ${id}))`
