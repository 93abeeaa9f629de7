import type { Client } from '@libsql/client'
import { treeSchema, type ConditionTree, type Node } from '../../worker/src/segments/condition.js'
import { evaluate } from '../../worker/src/segments/evaluate.js'
import { eventNames, loadFacts } from '../../worker/src/segments/facts.js'
import type { EvalContext, SegmentDef } from '../../worker/src/segments/library.js'
import { binder, toSql } from '../../worker/src/segments/to-sql.js'

export const PROJECT = 'prj_seg'
export const NOW = Date.parse('2026-11-01T00:00:00Z')
export const DAY = 86_400_000

/** A user as a fixture describes it; everything optional. */
export interface UserSpec {
  userId?: string | null
  email?: string | null
  name?: string | null
  status?: string
  createdAt?: number
  firstSeen?: number
  lastSeen?: number
  sessions?: number
  eventsCount?: number
  attributes?: Record<string, unknown>
  /** Jimer IDs: unique across the fixtures sharing a database. */
  devices?: string[]
  tags?: number[]
  events?: { name: string; at?: number; props?: Record<string, unknown> }[]
  interactions?: { experience: string; action: string }[]
  responses?: { experience: string; answer: string | null }[]
  staticSegments?: number[]
}

let seq = 0
/** Inserts the user with all its rows; returns its row id. */
export async function insertUser(db: Client, u: UserSpec): Promise<number> {
  const n = ++seq
  const r = await db.execute({
    sql: `INSERT INTO users (project_id, user_id, email, name, status, created_at, first_seen, last_seen, sessions, events_count, attributes, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
    args: [PROJECT, u.userId === undefined ? `user-${n}` : u.userId, u.email ?? null, u.name ?? null, u.status ?? 'active',
      u.createdAt ?? NOW - 100 * DAY, u.firstSeen ?? NOW - 100 * DAY, u.lastSeen ?? NOW - DAY, u.sessions ?? 1, u.eventsCount ?? 0, JSON.stringify(u.attributes ?? {})],
  })
  const pk = Number(r.rows[0].id)
  const stmts: { sql: string; args: (string | number | null)[] }[] = []
  for (const d of u.devices ?? []) stmts.push({ sql: `INSERT INTO devices (project_id, anonymous_id, user_pk, first_seen, last_seen) VALUES (?, ?, ?, 0, 0)`, args: [PROJECT, d, pk] })
  for (const t of u.tags ?? []) stmts.push({ sql: `INSERT INTO user_tags (project_id, user_pk, tag_id, created_at) VALUES (?, ?, ?, 0)`, args: [PROJECT, pk, t] })
  ;(u.events ?? []).forEach((e, i) => stmts.push({
    sql: `INSERT INTO events (project_id, user_pk, type, name, properties, timestamp, received_at, message_id) VALUES (?, ?, 'track', ?, ?, ?, 0, ?)`,
    args: [PROJECT, pk, e.name, JSON.stringify(e.props ?? {}), e.at ?? NOW - DAY, `m-${n}-${i}`],
  }))
  ;(u.interactions ?? []).forEach((x, i) => stmts.push({
    sql: `INSERT INTO interactions (project_id, user_pk, experience_id, action, timestamp, message_id) VALUES (?, ?, ?, ?, 0, ?)`, args: [PROJECT, pk, x.experience, x.action, `i-${n}-${i}`],
  }))
  ;(u.responses ?? []).forEach((x, i) => stmts.push({
    sql: `INSERT INTO responses (project_id, user_pk, experience_id, answer, timestamp, message_id) VALUES (?, ?, ?, ?, 0, ?)`, args: [PROJECT, pk, x.experience, x.answer, `r-${n}-${i}`],
  }))
  for (const s of u.staticSegments ?? []) stmts.push({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES (?, ?, ?, 0, 0)`, args: [PROJECT, s, pk] })
  if (stmts.length) await db.batch(stmts, 'write')
  return pk
}

/** Saves segment rows so composition fixtures can refer to them. */
export async function insertSegments(db: Client, defs: SegmentDef[]) {
  for (const d of defs) {
    await db.execute({
      sql: `INSERT INTO segments (id, project_id, name, kind, conditions, key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)`,
      args: [d.id, PROJECT, d.name, d.kind, d.tree ? JSON.stringify(d.tree) : null, `seg-${d.id}`],
    })
  }
}

/** A tree from a root node (a leaf is wrapped in an AND group), validated by the schema. */
export function tree(node: Node): ConditionTree {
  const root = node.type === 'group' ? node : { type: 'group' as const, logic: 'and' as const, conditions: [node] }
  return treeSchema.parse({ version: 1, root })
}

/** The user's membership through to-sql on the real database. */
export async function sqlSays(db: Client, t: ConditionTree, pk: number, ctx: EvalContext): Promise<boolean> {
  const b = binder()
  const where = toSql(t, { ...ctx, projectId: PROJECT }, b.bind)
  const r = await db.execute({ sql: `SELECT u.id FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND u.id = ${b.bind(pk)} AND ${where}`, args: b.args })
  return r.rows.length === 1
}

/** The user's membership through evaluate, over facts loaded from the database. */
export async function jsSays(db: Client, t: ConditionTree, pk: number, ctx: EvalContext): Promise<boolean> {
  const names = eventNames([t, ...[...ctx.segments.values()].flatMap((s) => (s.tree ? [s.tree] : []))])
  const facts = await loadFacts(db, PROJECT, { pk }, names)
  return evaluate(t, facts!, ctx)
}
