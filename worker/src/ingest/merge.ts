import { memberOf } from '../segments/member-of.js'

/**
 * Statements that fold one profile (`S`) into another (`T`): events, interactions,
 * responses, tags and aliases move, the source's user id becomes an alias of the target
 * (so it keeps naming the person); first seen = min, sessions = sum, newer attribute
 * values win key by key (by the time each was set). `S` and `T` are SQL expressions over
 * the statement's named parameters; `cond` guards every statement, so a merge that does
 * not apply (already one profile, retried message) changes nothing.
 *
 * The order matters because `S` is usually found through the rows being moved:
 * `deleteSourceFirst` (identify, where S is "the profile of device :a") deletes S before
 * the devices move; alias (S found by user id, or through the alias :prev) moves devices
 * first and leaves the alias :prev alone.
 */
export function mergeStatements(S: string, T: string, cond: string, deleteSourceFirst: boolean): string[] {
  // `+project_id`: found by user (every table here has a user index); on events the covering
  // (project, name, time, user) index would otherwise be read whole for the project.
  const where = `+project_id = :p AND user_pk = ${S} AND ${cond}`
  const moveDevices = `UPDATE devices SET user_pk = ${T} WHERE ${where}`
  const deleteSource = `DELETE FROM users WHERE id = ${S} AND project_id = :p AND ${cond}`
  return [
    // The ledger says "merge" for the entries and exits this causes (segments/cause.ts).
    `UPDATE write_cause SET cause = 'merge', at = :now WHERE id = 1 AND ${cond}`,
    `UPDATE events SET user_pk = ${T} WHERE ${where}`,
    `UPDATE interactions SET user_pk = ${T} WHERE ${where}`,
    `UPDATE responses SET user_pk = ${T} WHERE ${where}`,
    `INSERT OR IGNORE INTO user_tags (project_id, user_pk, tag_id, created_at) SELECT project_id, ${T}, tag_id, created_at FROM user_tags WHERE ${where}`,
    `DELETE FROM user_tags WHERE ${where}`,
    // Static lists keep the person; dynamic memberships of S end (T's follow from the journal).
    `INSERT OR IGNORE INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at)
       SELECT m.project_id, m.segment_id, ${T}, m.entered_at, m.computed_at FROM segment_members m JOIN segments s ON s.id = m.segment_id
       WHERE ${memberOf(':p', S, 'm')} AND s.kind = 'static' AND ${cond}`,
    `DELETE FROM segment_members WHERE ${memberOf(':p', S)} AND ${cond}`,
    // Not the alias named :prev (alias() only): S may be found through it, and moving it
    // here would lose S for the statements below. plan.ts re-points it last.
    `UPDATE aliases SET user_pk = ${T} WHERE ${where} AND alias IS NOT :prev`,
    // S may be found through an alias (alias(name → u) when name already named S), so its
    // own user id is not always :prev: without this it would name no profile afterwards.
    `INSERT INTO aliases (project_id, alias, user_pk) SELECT :p, user_id, ${T} FROM users
       WHERE id = ${S} AND project_id = :p AND user_id IS NOT NULL AND ${cond}
       ON CONFLICT (project_id, alias) DO UPDATE SET user_pk = excluded.user_pk`,
    `UPDATE users SET
       created_at = min(users.created_at, s.created_at),
       first_seen = CASE WHEN users.first_seen = 0 THEN s.first_seen WHEN s.first_seen = 0 THEN users.first_seen ELSE min(users.first_seen, s.first_seen) END,
       last_seen = max(users.last_seen, s.last_seen),
       sessions = users.sessions + s.sessions,
       events_count = users.events_count + s.events_count,
       experiences_seen = (SELECT count(DISTINCT experience_id) FROM interactions WHERE project_id = :p AND user_pk = users.id AND action = 'seen'),
       email = CASE WHEN ${newer('email')} THEN s.email ELSE users.email END,
       name = CASE WHEN ${newer('name')} THEN s.name ELSE users.name END,
       attributes = json_patch(users.attributes, (
         SELECT json_group_object(sa.key, ${jsonValue('sa')})
         FROM json_each(s.attributes) sa
         LEFT JOIN json_each(s.attribute_meta) sm ON sm.key = sa.key
         LEFT JOIN json_each(users.attribute_meta) um ON um.key = sa.key
         WHERE um.key IS NULL OR coalesce(sm.value ->> '$.t', 0) > coalesce(um.value ->> '$.t', 0))),
       attribute_meta = json_patch(users.attribute_meta, (
         SELECT json_group_object(sm.key, json(sm.value))
         FROM json_each(s.attribute_meta) sm
         LEFT JOIN json_each(users.attribute_meta) um ON um.key = sm.key
         WHERE um.key IS NULL OR coalesce(sm.value ->> '$.t', 0) > coalesce(um.value ->> '$.t', 0))),
       updated_at = :now
     FROM (SELECT * FROM users WHERE id = ${S}) AS s
     WHERE users.id = ${T} AND users.project_id = :p AND ${cond}`,
    ...(deleteSourceFirst ? [deleteSource, moveDevices] : [moveDevices, deleteSource]),
    `UPDATE write_cause SET cause = 'ingest', at = 0 WHERE id = 1 AND cause = 'merge'`,
  ]
}

/** The source's value for a native field wins when set and set later than the target's. */
function newer(field: 'email' | 'name'): string {
  return `s.${field} IS NOT NULL AND (users.${field} IS NULL OR coalesce(s.attribute_meta ->> '$.${field}.t', 0) > coalesce(users.attribute_meta ->> '$.${field}.t', 0))`
}

/**
 * A json_each row's value as JSON, built from its columns rather than re-read by path:
 * SQLite's `->` cannot follow a quoted key that itself contains a double quote.
 */
function jsonValue(alias: string): string {
  return `CASE ${alias}.type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') WHEN 'null' THEN json('null')
    WHEN 'object' THEN json(${alias}.value) WHEN 'array' THEN json(${alias}.value) ELSE ${alias}.value END`
}
