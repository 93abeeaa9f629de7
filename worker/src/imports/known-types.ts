import type { Db } from '../db/types.js'
import type { AttributeType } from './convert.js'

/** How many of the most recently active users are read to learn what a key holds (the catalog reads as many). */
export const SAMPLE_USERS = 2000

/** SQLite's json_each types as attribute kinds; text stands for strings and dates alike. */
const KIND: Record<string, AttributeType> = { text: 'string', integer: 'number', real: 'number', true: 'boolean', false: 'boolean', array: 'list', object: 'string' }

/** Kinds an import must not overwrite with another: a number replaced by text drops out of `seats > 100`. */
export const GUARDED: ReadonlySet<AttributeType> = new Set(['number', 'boolean', 'list'])

export interface StoredKind {
  /** The kind every sampled value of the key has, or null when they differ. */
  kind: AttributeType | null
  /** The kind most sampled values have (what the condition builder offers). */
  usual: AttributeType
  /** Sampled users holding the key. */
  users: number
}

/**
 * What the project's users hold under each custom attribute key, read from the most
 * recently active users: the catalog offers it to the condition builder, the import
 * mapping starts from it, and an import refuses to write text where users hold numbers
 * (issue 14, item 5).
 */
export async function storedKinds(db: Db, projectId: string): Promise<Map<string, StoredKind>> {
  const { rows } = await db.execute({
    sql: `SELECT j.key, j.type, count(*) AS n FROM (SELECT attributes FROM users WHERE project_id = ? ORDER BY last_seen DESC LIMIT ${SAMPLE_USERS}) u, json_each(u.attributes) j
          WHERE j.type <> 'null' GROUP BY j.key, j.type ORDER BY j.key`,
    args: [projectId],
  })
  const counts = new Map<string, Map<AttributeType, number>>()
  for (const r of rows) {
    const key = String(r.key)
    const kind = KIND[String(r.type)] ?? 'string'
    const byKind = counts.get(key) ?? new Map<AttributeType, number>()
    byKind.set(kind, (byKind.get(kind) ?? 0) + Number(r.n))
    counts.set(key, byKind)
  }
  const out = new Map<string, StoredKind>()
  for (const [key, byKind] of counts) {
    const ranked = [...byKind].sort((a, b) => b[1] - a[1])
    out.set(key, { kind: ranked.length === 1 ? ranked[0][0] : null, usual: ranked[0][0], users: ranked.reduce((n, [, c]) => n + c, 0) })
  }
  return out
}
