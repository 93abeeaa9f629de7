/**
 * Imports as records (F-60…F-63): create one, commit its chunks, finish or fail it, and
 * read it back for the history. No HTTP here: routes/imports.ts calls these.
 */
import type { AppDeps } from '../app.js'
import { bumpVersion } from '../segments/membership.js'
import { settleMembership } from '../segments/membership-drain.js'
import type { Db, Stmt } from '../db/types.js'
import { ApiError } from '../errors.js'
import { GUARDED, storedKinds, type StoredKind } from './known-types.js'
import { chunkHash, planChunk, type ChunkInput, type ImportPlan } from './chunk.js'
import type { Column, MatchBy } from './convert.js'
import { checkColumns, type ImportOptions } from './options.js'

export type ImportStatus = 'draft' | 'running' | 'done' | 'failed'

export interface ImportRecord extends ImportPlan {
  name: string
  status: ImportStatus
  chunkRows: number
  rowsTotal: number
  created: number
  updated: number
  unchanged: number
  skipped: number
  errorCount: number
  segmentName: string | null
  failure: string | null
  createdAt: number
  updatedAt: number
  finishedAt: number | null
}

export interface ChunkCounts { seq: number; rows: number; created: number; updated: number; unchanged: number; skipped: number }

/** A new import in Draft, with its static segment (F-62) when asked for. Mapped types must agree with declared ones. */
export async function createImport(deps: AppDeps, projectId: string, opts: ImportOptions): Promise<ImportRecord> {
  const columns = checkColumns(opts.columns as Column[], opts.match)
  const { rows: declared } = await deps.db.execute({ sql: 'SELECT key, type FROM attribute_definitions WHERE project_id = ?', args: [projectId] })
  const types = new Map(declared.map((r) => [String(r.key), String(r.type)]))
  const stored = columns.some((c) => c.key !== undefined && !types.has(c.key)) ? await storedKinds(deps.db, projectId) : new Map<string, StoredKind>()
  columns.forEach((c, i) => {
    const want = c.key !== undefined ? types.get(c.key) : undefined
    if (want && want !== c.type) throw new ApiError(400, 'type_mismatch', `${c.key} is declared as ${want}; column "${c.header}" maps it as ${c.type}`, `columns.${i}.type`)
    // Undeclared, but every user holding the key holds a number (boolean, list): text must not replace them.
    const held = c.key !== undefined && !want ? stored.get(c.key)?.kind : null
    if (held && GUARDED.has(held) && held !== c.type) {
      throw new ApiError(400, 'type_conflict', `users hold ${held} values in ${c.key}; map column "${c.header}" as ${held} (cells that are not are skipped and reported), or use another key`, `columns.${i}.type`)
    }
  })
  const now = deps.now()
  const segmentKey = opts.segmentName ? `import-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}` : null
  const options = { match: opts.match, createNew: opts.createNew, updateExisting: opts.updateExisting, columns, chunkRows: opts.chunkRows }
  const results = await deps.db.batch([
    ...(segmentKey ? [
      { sql: `INSERT INTO segments (project_id, name, description, kind, key, created_at, updated_at) VALUES (?, ?, ?, 'static', ?, ?, ?)`, args: [projectId, opts.segmentName!, `Users of the import "${opts.name}"`, segmentKey, now, now] },
      bumpVersion(projectId),
    ] : []),
    {
      sql: `INSERT INTO imports (project_id, name, status, options, segment_id, created_at, updated_at)
            VALUES (?, ?, 'draft', ?, (SELECT id FROM segments WHERE project_id = ? AND key = ?), ?, ?) RETURNING id`,
      args: [projectId, opts.name, JSON.stringify(options), projectId, segmentKey, now, now],
    },
  ], 'write')
  return getImport(deps.db, projectId, Number(results[results.length - 1].rows[0].id))
}

const SELECT = `SELECT i.*, s.name AS segment_name FROM imports i LEFT JOIN segments s ON s.id = i.segment_id AND s.project_id = i.project_id`

export async function getImport(db: Db, projectId: string, id: number): Promise<ImportRecord> {
  const { rows } = await db.execute({ sql: `${SELECT} WHERE i.project_id = ? AND i.id = ?`, args: [projectId, id] })
  if (!rows[0]) throw new ApiError(404, 'not_found', `no import ${id} in this project`)
  return record(rows[0])
}

export async function listImports(db: Db, projectId: string): Promise<ImportRecord[]> {
  const { rows } = await db.execute({ sql: `${SELECT} WHERE i.project_id = ? ORDER BY i.created_at DESC, i.id DESC LIMIT 500`, args: [projectId] })
  return rows.map(record)
}

/** seq → content hash of every committed chunk: what a resumed upload skips. */
export async function committedChunks(db: Db, importId: number): Promise<Map<number, string>> {
  const { rows } = await db.execute({ sql: 'SELECT seq, hash FROM import_chunks WHERE import_id = ? ORDER BY seq', args: [importId] })
  return new Map(rows.map((r) => [Number(r.seq), String(r.hash)]))
}

/**
 * Commits one chunk in one transaction and answers its counts. A chunk committed before
 * (a retry) is answered from its record; one committed with other rows is a conflict.
 */
export async function commitChunk(deps: AppDeps, imp: ImportRecord, seq: number, input: ChunkInput): Promise<ChunkCounts> {
  return commitPrepared(deps, imp, await prepareChunk(deps, imp, seq, input))
}

/** A chunk converted and turned into its statements, not committed yet. */
export interface PreparedChunk { seq: number; hash: string; stmts: Stmt[] }

/**
 * The CPU half of a chunk (conversion, SQL) apart from its commit, so that a streamed
 * file plans its next chunk while the writer commits this one.
 */
export async function prepareChunk(deps: AppDeps, imp: ImportRecord, seq: number, input: ChunkInput): Promise<PreparedChunk> {
  if (imp.status === 'done') throw new ApiError(409, 'import_finished', `import ${imp.id} is done; start a new import`)
  const planned = planChunk(imp, seq, input, await chunkHash(input, deps.hashId), deps.now())
  return { seq, hash: planned.hash, stmts: planned.stmts }
}

/**
 * Commits a prepared chunk in one transaction and answers its counts. A chunk committed
 * before (a retry) is answered from its record; one committed with other rows is a conflict.
 */
export async function commitPrepared(deps: AppDeps, imp: ImportRecord, chunk: PreparedChunk): Promise<ChunkCounts> {
  const earlier = await readChunk(deps.db, imp.id, chunk.seq)
  if (earlier && earlier.hash !== chunk.hash) throw new ApiError(409, 'chunk_conflict', `chunk ${chunk.seq} was committed with other rows: is this the same file?`, 'seq')
  if (!earlier) await deps.writer.write(chunk.stmts)
  const record = earlier ?? await readChunk(deps.db, imp.id, chunk.seq)
  if (!record) throw new Error(`chunk ${chunk.seq} of import ${imp.id} is not recorded after its commit`)
  return record.counts
}

async function readChunk(db: Db, importId: number, seq: number) {
  const { rows } = await db.execute({ sql: 'SELECT * FROM import_chunks WHERE import_id = ? AND seq = ?', args: [importId, seq] })
  return rows[0] ? recordOf(rows[0]) : null
}

function recordOf(r: Record<string, unknown>) {
  const seq = Number(r.seq)
  return { hash: String(r.hash), counts: { seq, rows: Number(r.rows), created: Number(r.created), updated: Number(r.updated), unchanged: Number(r.unchanged), skipped: Number(r.skipped) } }
}

/** Done: membership has caught up with every chunk when the import says so. */
export async function finishImport(deps: AppDeps, imp: ImportRecord): Promise<ImportRecord> {
  const now = deps.now()
  await deps.writer.write([
    { sql: `UPDATE imports SET status = 'done', failure = NULL, finished_at = :now, updated_at = :now WHERE id = :i AND project_id = :p`, args: { now, i: imp.id, p: imp.projectId } },
  ])
  await settleMembership(deps)
  return getImport(deps.db, imp.projectId, imp.id)
}

/** Failed, with the reason shown in the history. Committed chunks stay; the same file can resume it. */
export async function failImport(deps: AppDeps, imp: ImportRecord, reason: string): Promise<ImportRecord> {
  const now = deps.now()
  await deps.writer.write([{
    sql: `UPDATE imports SET status = 'failed', failure = :reason, updated_at = :now WHERE id = :i AND project_id = :p AND status <> 'done'`,
    args: { reason: reason.slice(0, 1000), now, i: imp.id, p: imp.projectId },
  }])
  return getImport(deps.db, imp.projectId, imp.id)
}

function record(r: Record<string, unknown>): ImportRecord {
  const o = JSON.parse(String(r.options)) as { match: MatchBy; createNew: boolean; updateExisting: boolean; columns: Column[]; chunkRows: number }
  const n = (v: unknown) => Number(v ?? 0)
  return {
    id: n(r.id), projectId: String(r.project_id), name: String(r.name), status: r.status as ImportStatus,
    match: o.match, createNew: o.createNew, updateExisting: o.updateExisting, columns: o.columns, chunkRows: o.chunkRows,
    rowsTotal: n(r.rows_total), created: n(r.created), updated: n(r.updated), unchanged: n(r.unchanged), skipped: n(r.skipped), errorCount: n(r.error_count),
    segmentId: r.segment_id === null ? null : n(r.segment_id), segmentName: (r.segment_name as string | null) ?? null,
    failure: (r.failure as string | null) ?? null,
    createdAt: n(r.created_at), updatedAt: n(r.updated_at), finishedAt: r.finished_at === null ? null : n(r.finished_at),
  }
}

/** The JSON the API answers with (.tmp/notes/imports-api.md). */
export function importView(r: ImportRecord, committed?: Map<number, string>) {
  return {
    id: r.id, name: r.name, status: r.status, match: r.match, createNew: r.createNew, updateExisting: r.updateExisting,
    columns: r.columns, chunkRows: r.chunkRows, rowsTotal: r.rowsTotal, created: r.created, updated: r.updated,
    unchanged: r.unchanged, skipped: r.skipped, errorCount: r.errorCount,
    segment: r.segmentId === null ? null : { id: r.segmentId, name: r.segmentName ?? '(deleted)' },
    failure: r.failure, createdAt: r.createdAt, updatedAt: r.updatedAt, finishedAt: r.finishedAt,
    ...(committed ? { committedChunks: [...committed.keys()] } : {}),
  }
}
