/**
 * One chunk of an import (F-60, F-61) as SQL statements that, run in order in one
 * transaction, upsert its rows' users and record the chunk — the same shape as the
 * collector's planMessage, so the Workers path runs it as one `batch()` and the Node path
 * through the group-commit writer.
 *
 * Set-based, not row by row: the chunk's valid rows go into `import_stage` with one
 * json_each insert, identities are resolved there with the collector's own expression
 * (userByIdSql), and each step below is one statement over the whole chunk. That is what
 * makes a million-row file take seconds rather than minutes.
 *
 * Exactly once: the stage insert and the bookkeeping are guarded by "this chunk is not
 * committed yet", and the chunk's record is written in the same transaction. Sending a
 * chunk again — a retry after a network error, a resumed file — changes nothing.
 */
import { named } from '../db/named.js'
import type { SqlValue, Stmt } from '../db/types.js'
import { userByIdSql } from '../ingest/identity.js'
import { withCause } from '../segments/cause.js'
import { convertRow, type Column, type ImportRow, type MatchBy, type RowError } from './convert.js'

/** import_errors keeps this many rows per import; error_count counts them all. */
export const MAX_STORED_ERRORS = 10_000

export interface ImportPlan {
  id: number
  projectId: string
  match: MatchBy
  createNew: boolean
  updateExisting: boolean
  columns: Column[]
  segmentId: number | null
}

export interface PlannedChunk {
  stmts: Stmt[]
  /** Identifies the chunk's content: a resumed upload must send the same rows again. */
  hash: string
  errors: RowError[]
}

/** A chunk as sent: raw cells in column order, their spreadsheet row numbers, and rows the CSV parser could not read. */
export interface ChunkInput {
  cells: string[][]
  rowNumbers: number[]
  syntaxErrors?: RowError[]
}

export function planChunk(imp: ImportPlan, seq: number, input: ChunkInput, hash: string, now: number): PlannedChunk {
  const { cells, rowNumbers } = input
  const unreadable = new Map((input.syntaxErrors ?? []).map((e) => [e.row, e]))
  const errors: RowError[] = []
  const staged: SqlValue[][] = []
  const waveOf = new Map<string, number>()
  const metaOf = metaMaker(now)
  let invalid = 0
  let waves = 0
  for (let i = 0; i < cells.length; i++) {
    const syntax = unreadable.get(rowNumbers[i])
    const converted = syntax ? null : convertRow(imp.columns, cells[i], rowNumbers[i], imp.match)
    const value = converted?.value
    if (!value) {
      invalid++
      if (syntax) errors.push(syntax)
      else for (const e of converted!.errors) errors.push(e)
      continue
    }
    // Rows sharing a key are applied in order, one wave each, as if sent one after another.
    const key = (imp.match === 'email' ? value.email : value.userId)!
    const wave = waveOf.get(key) ?? 0
    waveOf.set(key, wave + 1)
    if (wave >= waves) waves = wave + 1
    staged.push(stageRow(value, wave, metaOf))
  }

  const pool: Record<string, SqlValue> = {
    p: imp.projectId, i: imp.id, s: seq, now, n: cells.length, invalid, nerr: errors.length,
    h: hash, create: imp.createNew ? 1 : 0, update: imp.updateExisting ? 1 : 0,
    seg: imp.segmentId, maxErr: MAX_STORED_ERRORS,
    errs: JSON.stringify(errors.map((e) => ({ r: e.row, c: e.column, k: e.code, m: e.reason, v: e.value }))),
    idColumn: imp.columns.find((c) => c.target === 'userId')?.header ?? null,
    keyColumn: imp.columns.find((c) => c.target === imp.match)?.header ?? null,
    byEmail: imp.match === 'email' ? 1 : 0,
  }
  const sql: string[] = []
  for (let w = 0; w < waves; w++) sql.push(...waveStatements(imp.match, w))
  sql.push(...(imp.segmentId === null ? [] : [STATIC_MEMBERS]), ROW_ERRORS, SKIP_ERRORS, RECORD_CHUNK, COUNT_INTO_IMPORT)
  // Dynamic segments follow from the journal the chunk's users leave (F-52, segments/membership-drain.ts).
  const stmts = withCause('import', now, [{ sql: CREATE_STAGE, args: [] }, ...stageStatements(imp.id, seq, staged), ...sql.map((text) => named(text, pool)), named(CLEAR_STAGE, pool)])
  return { stmts, hash, errors }
}

/** The stage columns after (import_id, seq): wave, row, user_id, email, name, attrs, meta, tags. */
function stageRow(r: ImportRow, wave: number, metaOf: (keys: string[]) => string): SqlValue[] {
  const keys = Object.keys(r.attributes)
  if (r.email !== null) keys.push('email')
  if (r.name !== null) keys.push('name')
  return [wave, r.row, r.userId, r.email, r.name, JSON.stringify(r.attributes), metaOf(keys), r.tags.length ? JSON.stringify(r.tags) : null]
}

/** `{key: {s: 'Import', t: now}}` for a row's keys; most rows of a file share their keys, so it is made once per key set. */
function metaMaker(now: number) {
  const source = `{"s":"Import","t":${now}}`
  const made = new Map<string, string>()
  return (keys: string[]) => {
    const id = keys.join('\u0000')
    let meta = made.get(id)
    if (meta === undefined) made.set(id, (meta = `{${keys.map((k) => `${JSON.stringify(k)}:${source}`).join(',')}}`))
    return meta
  }
}

/**
 * The valid rows into the stage, as multi-row VALUES with bound parameters (1,000 rows a
 * statement, under SQLite's variable limit) — far cheaper than unpacking one JSON
 * parameter with json_each, which re-parses each element for every column. The import
 * and chunk are bound once a statement, not once a row.
 */
function stageStatements(importId: number, seq: number, rows: SqlValue[][]): Stmt[] {
  const out: Stmt[] = []
  for (let at = 0; at < rows.length; at += STAGE_ROWS) {
    const end = Math.min(rows.length, at + STAGE_ROWS)
    const args: SqlValue[] = [importId, seq]
    for (let r = at; r < end; r++) for (const v of rows[r]) args.push(v)
    out.push({ sql: stageSql(end - at), args })
  }
  return out
}

const STAGE_ROWS = 1000
const stageSqlCache = new Map<number, string>()
const stageSql = (n: number) => {
  let sql = stageSqlCache.get(n)
  if (!sql) {
    const values = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
    sql = `INSERT INTO import_stage (import_id, seq, wave, row, user_id, email, name, attrs, meta, tags)
      SELECT ?1, ?2, * FROM (VALUES ${values}) WHERE NOT EXISTS (SELECT 1 FROM import_chunks WHERE import_id = ?1 AND seq = ?2)`
    stageSqlCache.set(n, sql)
  }
  return sql
}

/**
 * SHA-256 of the chunk as sent (cells and row numbers), its first 16 bytes in hex: a
 * resumed upload must send the same rows again. `sha256Hex` is the runtime's synchronous
 * hash when it has one (node:crypto; the same bytes, so the same value as WebCrypto's).
 */
export async function chunkHash(input: ChunkInput, sha256Hex?: (text: string) => string): Promise<string> {
  const text = JSON.stringify([input.rowNumbers, input.cells, input.syntaxErrors?.map((e) => e.row) ?? []])
  if (sha256Hex) return sha256Hex(text).slice(0, 32)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The chunk's valid rows while its transaction runs: identity is resolved and profiles are
 * written set-based from here, and the rows are deleted before the commit. A TEMP table:
 * it belongs to the connection running the transaction (the write thread on Node, the
 * batch's stream on Workers), so its pages never reach the database file or its WAL.
 * Rows sharing a match key go in successive waves, so the later row sees the earlier one's user.
 */
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS import_stage (
  import_id INTEGER NOT NULL, seq INTEGER NOT NULL, wave INTEGER NOT NULL, row INTEGER NOT NULL,
  user_id TEXT, email TEXT, name TEXT, attrs TEXT NOT NULL, meta TEXT NOT NULL, tags TEXT,
  pk INTEGER, created INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0, skip TEXT,
  PRIMARY KEY (import_id, seq, wave, row))`

const NOT_COMMITTED = `NOT EXISTS (SELECT 1 FROM import_chunks WHERE import_id = :i AND seq = :s)`
const STAGED = `import_stage.import_id = :i AND import_stage.seq = :s`

/** The profile a row names: by the collector's user-id resolution, or by email (the oldest profile with it). */
const resolve = (match: MatchBy) => match === 'userId'
  ? userByIdSql('import_stage.user_id')
  : `(SELECT id FROM users WHERE project_id = :p AND email = import_stage.email ORDER BY id LIMIT 1)`

function waveStatements(match: MatchBy, w: number): string[] {
  const wave = `${STAGED} AND import_stage.wave = ${w}`
  const live = `${wave} AND import_stage.skip IS NULL`
  const owner = userByIdSql('import_stage.user_id')
  return [
    `UPDATE import_stage SET pk = ${resolve(match)} WHERE ${wave}`,
    // Matching by email, the row's user id must not belong to someone else.
    ...(match === 'email' ? [`UPDATE import_stage SET skip = CASE
        WHEN ${owner} IS NOT NULL AND ${owner} IS NOT pk THEN 'user_id_taken'
        WHEN pk IS NOT NULL AND (SELECT user_id FROM users WHERE id = pk) IS NOT NULL AND (SELECT user_id FROM users WHERE id = pk) IS NOT user_id THEN 'user_id_conflict' END
      WHERE ${live} AND user_id IS NOT NULL`] : []),
    `UPDATE import_stage SET skip = CASE WHEN pk IS NULL THEN 'no_match' ELSE 'exists' END
      WHERE ${live} AND (pk IS NULL AND NOT :create OR pk IS NOT NULL AND NOT :update)`,
    // Imported users are never seen (first / last seen 0) until they are active (issue 14).
    `INSERT INTO users (project_id, user_id, email, name, created_at, first_seen, last_seen, updated_at, attributes, attribute_meta)
      SELECT :p, user_id, email, name, :now, 0, 0, :now, attrs, meta FROM import_stage WHERE ${live} AND pk IS NULL ORDER BY row`,
    `UPDATE import_stage SET created = 1, pk = ${resolve(match)} WHERE ${live} AND pk IS NULL`,
    // Matched rows count as updated only when they change something: a re-run is all "unchanged".
    `UPDATE import_stage SET changed = 1 WHERE ${live} AND created = 0 AND EXISTS (SELECT 1 FROM users u WHERE u.id = import_stage.pk AND (
        json_patch(u.attributes, import_stage.attrs) IS NOT u.attributes
        OR import_stage.email IS NOT NULL AND import_stage.email IS NOT u.email
        OR import_stage.name IS NOT NULL AND import_stage.name IS NOT u.name
        OR import_stage.user_id IS NOT NULL AND u.user_id IS NULL
        OR EXISTS (SELECT 1 FROM json_each(import_stage.tags) t
          WHERE NOT EXISTS (SELECT 1 FROM tags g JOIN user_tags ut ON ut.tag_id = g.id AND ut.user_pk = u.id WHERE g.project_id = :p AND g.name = t.value))))`,
    `UPDATE users SET user_id = coalesce(users.user_id, s.user_id), email = coalesce(s.email, users.email), name = coalesce(s.name, users.name),
        attributes = json_patch(users.attributes, s.attrs), attribute_meta = json_patch(users.attribute_meta, s.meta), updated_at = :now
      FROM import_stage s WHERE s.import_id = :i AND s.seq = :s AND s.wave = ${w} AND s.changed = 1 AND users.id = s.pk AND users.project_id = :p`,
    `INSERT INTO tags (project_id, name, color, created_at)
      SELECT DISTINCT :p, t.value, '#64748b', :now FROM import_stage, json_each(import_stage.tags) t WHERE ${live} AND import_stage.tags IS NOT NULL
      ON CONFLICT (project_id, name) DO NOTHING`,
    `INSERT INTO user_tags (project_id, user_pk, tag_id, created_at)
      SELECT :p, import_stage.pk, g.id, :now FROM import_stage, json_each(import_stage.tags) t JOIN tags g ON g.project_id = :p AND g.name = t.value
      WHERE ${live} AND import_stage.tags IS NOT NULL
      ON CONFLICT DO NOTHING`,
  ]
}

/** F-62: every row that landed on a user joins the import's static segment (its count is settled at the end). */
const STATIC_MEMBERS = `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at)
  SELECT :p, :seg, pk, :now, :now FROM import_stage WHERE ${STAGED} AND skip IS NULL ON CONFLICT DO NOTHING`

const counted = (where: string) => `(SELECT count(*) FROM import_stage WHERE ${STAGED} AND ${where})`
const CREATED = counted('skip IS NULL AND created = 1')
const UPDATED = counted('skip IS NULL AND created = 0 AND changed = 1')
const UNCHANGED = counted('skip IS NULL AND created = 0 AND changed = 0')
const SKIPPED = counted('skip IS NOT NULL')

/**
 * Right after the chunk's record, the import's running totals from it. `changes() = 1`:
 * only when that insert just happened, i.e. not for a chunk committed before.
 */
const COUNT_INTO_IMPORT = `UPDATE imports SET status = 'running', failure = NULL, updated_at = :now,
    rows_total = rows_total + c.rows, created = imports.created + c.created, updated = imports.updated + c.updated,
    unchanged = imports.unchanged + c.unchanged, skipped = imports.skipped + c.skipped, error_count = error_count + :nerr + c.skipped - :invalid
  FROM import_chunks c WHERE imports.id = :i AND imports.project_id = :p AND c.import_id = :i AND c.seq = :s AND changes() = 1`

const RECORD_CHUNK = `INSERT INTO import_chunks (import_id, seq, hash, rows, created, updated, unchanged, skipped, committed_at)
  SELECT :i, :s, :h, :n, ${CREATED}, ${UPDATED}, ${UNCHANGED}, :invalid + ${SKIPPED}, :now WHERE ${NOT_COMMITTED}`

/** Row errors found while converting (and, below, the rows the database skipped), kept up to MAX_STORED_ERRORS. */
const ROOM = `max(0, :maxErr - (SELECT count(*) FROM import_errors WHERE import_id = :i))`
const ROW_ERRORS = `INSERT INTO import_errors (import_id, row, "column", code, reason, value)
  SELECT :i, e.value ->> 'r', e.value ->> 'c', e.value ->> 'k', e.value ->> 'm', e.value ->> 'v' FROM json_each(:errs) e
  WHERE ${NOT_COMMITTED} LIMIT ${ROOM}`

const SKIP_ERRORS = `INSERT INTO import_errors (import_id, row, "column", code, reason, value)
  SELECT :i, row, CASE WHEN skip IN ('user_id_taken', 'user_id_conflict') THEN :idColumn ELSE :keyColumn END, skip,
    CASE skip
      WHEN 'no_match' THEN 'no user matches it, and creating new users is off'
      WHEN 'exists' THEN 'its user exists, and updating existing users is off'
      WHEN 'user_id_taken' THEN 'its user id belongs to another user'
      ELSE 'the user with this email has another user id' END,
    CASE WHEN skip IN ('user_id_taken', 'user_id_conflict') OR NOT :byEmail THEN user_id ELSE email END
  FROM import_stage WHERE ${STAGED} AND skip IS NOT NULL ORDER BY row LIMIT ${ROOM}`

/** The stage holds only this chunk's rows (each chunk empties it before its transaction ends): cleared whole. */
const CLEAR_STAGE = `DELETE FROM import_stage`
