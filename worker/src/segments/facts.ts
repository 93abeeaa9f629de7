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
 * Loads one user's facts in one statement: the user's row, with each of its other facts
 * (devices, tags, events of the names asked, experiences, manual lists) as a JSON array from
 * a subquery on that user's own index range. `by` finds the user by row id, user id (or
 * alias) or Jimer ID, once. One statement rather than a batch of seven: targeting runs this
 * per request, and each statement (and the batch's transaction) costs a crossing into SQLite.
 * Event properties come back as their stored JSON text inside the array and are parsed as
 * stored, so no value passes through SQLite's JSON functions.
 */
export async function loadFacts(db: Db, projectId: string, by: { pk: number } | { userId: string } | { anonymousId: string }, names: string[]): Promise<UserFacts | null> {
  const args: (string | number)[] = []
  // Numbered placeholders: the lookup's values are bound once, wherever they appear.
  const p = (v: string | number) => `?${args.push(v)}`
  const project = p(projectId)
  let who: string
  if ('pk' in by) who = p(by.pk)
  else if ('userId' in by) {
    const id = p(by.userId)
    who = `coalesce((SELECT id FROM users WHERE project_id = ${project} AND user_id = ${id}), (SELECT user_pk FROM aliases WHERE project_id = ${project} AND alias = ${id}))`
  } else who = `(SELECT user_pk FROM devices WHERE project_id = ${project} AND anonymous_id = ${p(by.anonymousId)})`
  const names_ = (names.length ? names : ['\u0000']).map(p).join(', ')
  const sql = `SELECT u.id, u.user_id, u.email, u.name, u.status, u.created_at, u.first_seen, u.last_seen, u.sessions, u.events_count, u.attributes,
    (SELECT json_group_array(anonymous_id) FROM devices WHERE project_id = u.project_id AND user_pk = u.id) AS devices,
    (SELECT json_group_array(tag_id) FROM user_tags WHERE project_id = u.project_id AND user_pk = u.id) AS tags,
    (SELECT json_group_array(json_array(name, timestamp, properties) ORDER BY timestamp, id) FROM events INDEXED BY events_user_time WHERE project_id = u.project_id AND user_pk = u.id AND name IN (${names_})) AS events,
    (SELECT json_group_array(json_array(experience_id, action)) FROM interactions WHERE project_id = u.project_id AND user_pk = u.id) AS interactions,
    (SELECT json_group_array(json_array(experience_id, answer)) FROM responses WHERE project_id = u.project_id AND user_pk = u.id) AS responses,
    (SELECT json_group_array(s.id) FROM segments s JOIN segment_members m ON m.segment_id = s.id AND m.user_pk = u.id WHERE s.project_id = u.project_id AND s.kind = 'static') AS statics
    FROM users u WHERE u.project_id = ${project} AND u.id = ${who}`
  const { rows } = await db.execute({ sql, args })
  const u = rows[0]
  if (!u) return null
  const list = <T>(x: unknown) => JSON.parse(String(x)) as T[]
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
    devices: list<string>(u.devices),
    tagIds: list<number>(u.tags),
    events: list<[string, number, string]>(u.events).map(([name, timestamp, properties]) => ({ name, timestamp, properties: JSON.parse(properties) })),
    interactions: list<[string, string]>(u.interactions).map(([experienceId, action]) => ({ experienceId, action })),
    responses: list<[string, string | null]>(u.responses).map(([experienceId, answer]) => ({ experienceId, answer })),
    staticSegments: list<number>(u.statics),
  }
}
