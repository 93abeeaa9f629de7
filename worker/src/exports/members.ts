/**
 * A segment's members, page by page, as rows of the chosen columns: the source every
 * export format reads. Keyset pagination on segment_members' primary key (segment_id,
 * user_pk) keeps each page an index range scan however deep the export goes, where
 * OFFSET would re-walk every row before it.
 */
import type { Db } from '../db/types.js'
import { storedValueSql, textOf, typedValue } from '../users/typed-value.js'
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
  const keys = [...new Set(columns.flatMap((c) => (c.key === undefined ? [] : [c.key])))]
  const select = columns.map((c, i) => (c.sql ? `, ${c.sql} AS c${i}` : '')).join('')
  const page = `SELECT m.user_pk FROM segment_members m WHERE m.project_id = ? AND m.segment_id = ? AND m.user_pk > ? ORDER BY m.user_pk LIMIT ?`
  const sql = `SELECT m.user_pk AS pk${select} FROM segment_members m JOIN users u ON u.id = m.user_pk
               WHERE m.project_id = ? AND m.segment_id = ? AND u.project_id = ? AND m.user_pk > ? ORDER BY m.user_pk LIMIT ?`
  // Attribute columns from the typed storage, the same page of members: no JSON document is parsed.
  const attributesSql = `SELECT a.user_pk, CAST(a.key AS BLOB) AS key, a.type, ${storedValueSql('a.type', 'a.value')} AS value FROM user_attributes a
               WHERE a.project_id = ? AND a.user_pk IN (${page}) AND a.key IN (${keys.map(() => '?').join(', ')})`
  const names = columns.map((_, i) => `c${i}`)
  let after = 0
  for (;;) {
    const [{ rows }, attrs] = await db.batch([
      { sql, args: [projectId, segmentId, projectId, after, pageSize] },
      ...(keys.length ? [{ sql: attributesSql, args: [projectId, projectId, segmentId, after, pageSize, ...keys] }] : []),
    ], 'read')
    if (!rows.length) return
    const values = new Map<string, unknown>()
    for (const a of attrs?.rows ?? []) values.set(`${a.user_pk}\u0000${textOf(a.key)}`, typedValue(String(a.type), a.value))
    yield rows.map((r) => columns.map((c, i) => (c.key === undefined ? r[names[i]] ?? null : values.get(`${r.pk}\u0000${c.key}`) ?? null)))
    if (rows.length < pageSize) return
    after = Number(rows[rows.length - 1].pk)
  }
}
