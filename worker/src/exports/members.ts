/**
 * A segment's members, page by page, as rows of the chosen columns: the source every
 * export format reads. Keyset pagination on segment_members' primary key (segment_id,
 * user_pk) keeps each page an index range scan however deep the export goes, where
 * OFFSET would re-walk every row before it.
 */
import type { Db } from '../db/types.js'
import type { ExportColumn } from './columns.js'

/** Rows per page (and per Parquet row group): a few MB at most, whatever the segment's size. */
export const PAGE_SIZE = 5_000

/** One member's values, in column order: SQL values for natives, JSON values for attributes. */
export type Row = unknown[]

/**
 * Pages of members in user order. Each page is its own read: a member who leaves the
 * segment while a long export runs may or may not be in it, but no member appears twice.
 */
export async function* memberPages(db: Db, projectId: string, segmentId: number, columns: ExportColumn[], pageSize = PAGE_SIZE): AsyncGenerator<Row[]> {
  const withAttributes = columns.some((c) => c.key !== undefined)
  const select = columns.map((c, i) => (c.sql ? `, ${c.sql} AS c${i}` : '')).join('') + (withAttributes ? ', u.attributes AS attributes' : '')
  const sql = `SELECT m.user_pk AS pk${select} FROM segment_members m JOIN users u ON u.id = m.user_pk
               WHERE m.project_id = ? AND m.segment_id = ? AND u.project_id = ? AND m.user_pk > ? ORDER BY m.user_pk LIMIT ?`
  const names = columns.map((_, i) => `c${i}`)
  let after = 0
  for (;;) {
    const { rows } = await db.execute({ sql, args: [projectId, segmentId, projectId, after, pageSize] })
    if (!rows.length) return
    yield rows.map((r) => {
      const attributes = withAttributes ? JSON.parse(String(r.attributes)) as Record<string, unknown> : {}
      // Own keys only: a key named "constructor" must not find Object's.
      return columns.map((c, i) => (c.key === undefined ? r[names[i]] ?? null : Object.hasOwn(attributes, c.key) ? attributes[c.key] : null))
    })
    if (rows.length < pageSize) return
    after = Number(rows[rows.length - 1].pk)
  }
}
