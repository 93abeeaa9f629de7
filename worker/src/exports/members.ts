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
 *
 * Attribute columns come from each member's JSON document, parsed once per row, with the
 * keys picked in JS (own keys only, so a key named "constructor" finds nothing of
 * Object's). Why not the typed storage (user_attributes): one row per member and key
 * crossing into JS cost ~4 µs each — 33 µs a member for the bench's 8 attribute columns,
 * against ~3 µs for reading and parsing the document (issue 13). The document is what
 * the typed storage is derived from (by trigger), so the values are the same;
 * test/api/segment-export.test.ts holds the two readers together.
 */
export async function* memberPages(db: Db, projectId: string, segmentId: number, columns: ExportColumn[], pageSize = PAGE_SIZE): AsyncGenerator<Row[]> {
  const withAttributes = columns.some((c) => c.key !== undefined)
  const select = columns.map((c, i) => (c.sql ? `, ${c.sql} AS c${i}` : '')).join('') + (withAttributes ? ', u.attributes AS attributes' : '')
  const sql = `SELECT m.user_pk AS pk${select} FROM segment_members m JOIN users u ON u.id = m.user_pk
               WHERE m.project_id = ? AND m.segment_id = ? AND u.project_id = ? AND m.user_pk > ? ORDER BY m.user_pk LIMIT ?`
  const names = columns.map((_, i) => `c${i}`)
  const keys = columns.map((c) => c.key)
  const none: Record<string, unknown> = {}
  let after = 0
  for (;;) {
    const { rows } = await db.execute({ sql, args: [projectId, segmentId, projectId, after, pageSize] })
    if (!rows.length) return
    const page: Row[] = new Array(rows.length)
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]
      const doc = withAttributes && row.attributes !== '{}' ? JSON.parse(String(row.attributes)) as Record<string, unknown> : none
      const out: unknown[] = new Array(columns.length)
      for (let i = 0; i < columns.length; i++) {
        const key = keys[i]
        out[i] = key === undefined ? row[names[i]] ?? null : Object.hasOwn(doc, key) ? doc[key] ?? null : null
      }
      page[r] = out
    }
    yield page
    if (rows.length < pageSize) return
    after = Number(rows[rows.length - 1].pk)
  }
}
