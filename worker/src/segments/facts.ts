import type { Db } from '../db/types.js'
import type { ConditionTree, Node } from './condition.js'

/** Everything the JS interpreters need to know about one user. */
export interface UserFacts {
  id: number
  userId: string | null
  email: string | null
  name: string | null
  status: string
  createdAt: number
  firstSeen: number
  lastSeen: number
  sessions: number
  eventsCount: number
  attributes: Record<string, unknown>
  devices: string[]
  tagIds: number[]
  /** Events of the names the segments mention, oldest first (timestamp, then insertion). */
  events: { name: string; timestamp: number; properties: Record<string, unknown> }[]
  interactions: { experienceId: string; action: string }[]
  responses: { experienceId: string; answer: string | null }[]
  /** Static segments the user is a member of. */
  staticSegments: number[]
}

/** The event names a set of trees can ask about: only those events are loaded. */
export function eventNames(trees: Iterable<ConditionTree>): string[] {
  const names = new Set<string>()
  const walk = (n: Node) => (n.type === 'group' ? n.conditions.forEach(walk) : n.type === 'event' && names.add(n.event))
  for (const t of trees) walk(t.root)
  return [...names]
}

/**
 * Loads one user's facts in one database round trip (a read batch). `by` finds the user
 * by row id, user id (or alias) or Jimer ID.
 */
export async function loadFacts(db: Db, projectId: string, by: { pk: number } | { userId: string } | { anonymousId: string }, names: string[]): Promise<UserFacts | null> {
  // Each statement names the user by the same subquery, so the batch is one round trip.
  const [pk, whoArgs]: [string, (string | number)[]] = 'pk' in by
    ? ['?', [by.pk]]
    : 'userId' in by
      ? ['coalesce((SELECT id FROM users WHERE project_id = ? AND user_id = ?), (SELECT user_pk FROM aliases WHERE project_id = ? AND alias = ?))', [projectId, by.userId, projectId, by.userId]]
      : ['(SELECT user_pk FROM devices WHERE project_id = ? AND anonymous_id = ?)', [projectId, by.anonymousId]]
  const names_ = names.length ? names : ['\u0000']
  const [user, devices, tags, events, interactions, responses, statics] = await db.batch([
    { sql: `SELECT * FROM users WHERE project_id = ? AND id = ${pk}`, args: [projectId, ...whoArgs] },
    { sql: `SELECT anonymous_id FROM devices WHERE project_id = ? AND user_pk = ${pk}`, args: [projectId, ...whoArgs] },
    { sql: `SELECT tag_id FROM user_tags WHERE project_id = ? AND user_pk = ${pk}`, args: [projectId, ...whoArgs] },
    {
      sql: `SELECT name, timestamp, properties FROM events WHERE project_id = ? AND user_pk = ${pk} AND name IN (${names_.map(() => '?').join(', ')}) ORDER BY timestamp, id`,
      args: [projectId, ...whoArgs, ...names_],
    },
    { sql: `SELECT experience_id, action FROM interactions WHERE project_id = ? AND user_pk = ${pk}`, args: [projectId, ...whoArgs] },
    { sql: `SELECT experience_id, answer FROM responses WHERE project_id = ? AND user_pk = ${pk}`, args: [projectId, ...whoArgs] },
    { sql: `SELECT m.segment_id FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.project_id = ? AND s.kind = 'static' AND m.user_pk = ${pk}`, args: [projectId, ...whoArgs] },
  ], 'read')
  const u = user.rows[0]
  if (!u) return null
  return {
    id: Number(u.id),
    userId: (u.user_id as string | null) ?? null,
    email: (u.email as string | null) ?? null,
    name: (u.name as string | null) ?? null,
    status: String(u.status),
    createdAt: Number(u.created_at),
    firstSeen: Number(u.first_seen),
    lastSeen: Number(u.last_seen),
    sessions: Number(u.sessions),
    eventsCount: Number(u.events_count),
    attributes: JSON.parse(String(u.attributes)),
    devices: devices.rows.map((r) => String(r.anonymous_id)),
    tagIds: tags.rows.map((r) => Number(r.tag_id)),
    events: events.rows.map((r) => ({ name: String(r.name), timestamp: Number(r.timestamp), properties: JSON.parse(String(r.properties)) })),
    interactions: interactions.rows.map((r) => ({ experienceId: String(r.experience_id), action: String(r.action) })),
    responses: responses.rows.map((r) => ({ experienceId: String(r.experience_id), answer: (r.answer as string | null) ?? null })),
    staticSegments: statics.rows.map((r) => Number(r.segment_id)),
  }
}
