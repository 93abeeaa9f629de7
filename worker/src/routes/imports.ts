import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import Papa from 'papaparse'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { CSV_OPTIONS } from '../exports/csv.js'
import { suggestColumns, type AttributeType, type Column } from '../imports/convert.js'
import { storedKinds } from '../imports/known-types.js'
import { csvBatches, type CsvBatch } from '../imports/csv-stream.js'
import { columnSchema, importOptionsSchema, MAX_CHUNK_ROWS } from '../imports/options.js'
import { commitChunk, commitPrepared, committedChunks, prepareChunk, createImport, failImport, finishImport, getImport, importView, listImports, type ImportRecord } from '../imports/store.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { idParam, jsonBody, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Imports admin API (F-60…F-64), under /api/projects/:projectId. Two ways in: the
 * dashboard creates an import and sends its parsed rows in numbered chunks (each PUT
 * idempotent, so a retry after a network error is safe); scripts POST the CSV file itself
 * as the body, read as it streams in. Contract: .tmp/notes/imports-api.md.
 */
export const importRoutes = new Hono<Env>()
const read = requireProject('viewer')
const write = requireProject('editor')

/** A chunk of 5,000 rows is far below this; a body past it is refused before it is read whole. */
const CHUNK_BODY_BYTES = 32 * 1024 * 1024
const chunkLimit = bodyLimit({
  maxSize: CHUNK_BODY_BYTES,
  onError: (c) => c.json(new ApiError(413, 'body_too_large', `a chunk body is at most ${CHUNK_BODY_BYTES} bytes`).toJSON(), 413),
})

importRoutes.get('/imports', read, async (c) => {
  return c.json({ imports: (await listImports(c.var.deps.db, c.var.projectId)).map((r) => importView(r)) })
})

importRoutes.get('/imports/:importId', read, async (c) => {
  const imp = await getImport(c.var.deps.db, c.var.projectId, idParam(c, 'importId'))
  return c.json(importView(imp, await committedChunks(c.var.deps.db, imp.id)))
})

importRoutes.post('/imports', write, async (c) => {
  if (isCsv(c)) {
    const done = await importCsvBody(c)
    await audit(c, { verb: 'create', objectType: 'import', objectId: done.id, after: { name: done.name, status: done.status, created: done.created, updated: done.updated, skipped: done.skipped } })
    return c.json(importView(done), 201)
  }
  const opts = await jsonBody(c, importOptionsSchema)
  const imp = await createImport(c.var.deps, c.var.projectId, opts)
  await audit(c, { verb: 'create', objectType: 'import', objectId: imp.id, after: { name: imp.name, match: opts.match } })
  return c.json(importView(imp), 201)
})

const chunkBody = z.object({
  rows: z.array(z.array(z.string()).max(500)).min(1).max(MAX_CHUNK_ROWS),
  /** Spreadsheet row numbers of `rows`; or `firstRow` when they are consecutive. */
  rowNumbers: z.array(z.number().int().min(2)).optional(),
  firstRow: z.number().int().min(2).optional(),
  /** Rows the browser's CSV parser could not read cleanly: stored as csv_syntax errors, not as data. */
  syntaxErrors: z.array(z.object({ row: z.number().int().min(2), reason: z.string().max(500) })).max(MAX_CHUNK_ROWS).optional(),
})

importRoutes.put('/imports/:importId/chunks/:seq', write, chunkLimit, async (c) => {
  const imp = await getImport(c.var.deps.db, c.var.projectId, idParam(c, 'importId'))
  const seq = Number(c.req.param('seq'))
  if (!Number.isSafeInteger(seq) || seq < 0) throw new ApiError(400, 'invalid_field', 'seq must be a whole number ≥ 0', 'seq')
  const body = await jsonBody(c, chunkBody)
  const rowNumbers = body.rowNumbers ?? body.rows.map((_, i) => (body.firstRow ?? 2) + i)
  if (rowNumbers.length !== body.rows.length) throw new ApiError(400, 'invalid_field', 'rowNumbers must have one number per row', 'rowNumbers')
  const syntaxErrors = (body.syntaxErrors ?? []).map((e) => ({ row: e.row, column: null, code: 'csv_syntax' as const, reason: e.reason, value: null }))
  const chunk = await commitChunk(c.var.deps, imp, seq, { cells: body.rows, rowNumbers, syntaxErrors })
  return c.json({ chunk, import: importView(await getImport(c.var.deps.db, c.var.projectId, imp.id)) })
})

importRoutes.post('/imports/:importId/finish', write, async (c) => {
  const imp = await getImport(c.var.deps.db, c.var.projectId, idParam(c, 'importId'))
  const done = await finishImport(c.var.deps, imp)
  await audit(c, { verb: 'finish', objectType: 'import', objectId: imp.id, after: { name: done.name, status: done.status, created: done.created, updated: done.updated, skipped: done.skipped } })
  return c.json(importView(done))
})

importRoutes.post('/imports/:importId/fail', write, async (c) => {
  const { reason } = await jsonBody(c, z.object({ reason: z.string().min(1).max(1000) }))
  const imp = await getImport(c.var.deps.db, c.var.projectId, idParam(c, 'importId'))
  const failed = await failImport(c.var.deps, imp, reason)
  await audit(c, { verb: 'fail', objectType: 'import', objectId: imp.id, after: { name: imp.name, reason } })
  return c.json(importView(failed))
})

/** Resumes an import from the same file: chunks already committed are checked and skipped. */
importRoutes.put('/imports/:importId/csv', write, async (c) => {
  const imp = await getImport(c.var.deps.db, c.var.projectId, idParam(c, 'importId'))
  if (imp.status === 'done') throw new ApiError(409, 'import_finished', `import ${imp.id} is done; start a new import`)
  if (!isCsv(c)) throw new ApiError(415, 'unsupported_media_type', 'send the CSV file with Content-Type: text/csv')
  const done = await runCsv(c, imp, batchesOf(c, imp.chunkRows))
  await audit(c, { verb: 'resume', objectType: 'import', objectId: imp.id, after: { name: done.name, status: done.status } })
  return c.json(importView(done))
})

/** The error report (F-63): every stored row error, formula-looking cells neutralised. */
importRoutes.get('/imports/:importId/errors.csv', read, async (c) => {
  const imp = await getImport(c.var.deps.db, c.var.projectId, idParam(c, 'importId'))
  const { rows } = await c.var.deps.db.execute({ sql: 'SELECT row, "column", code, reason, value FROM import_errors WHERE import_id = ? ORDER BY row, id', args: [imp.id] })
  const csv = Papa.unparse({ fields: ['row', 'column', 'code', 'reason', 'value'], data: rows.map((r) => [Number(r.row), r.column, r.code, r.reason, r.value]) }, CSV_OPTIONS)
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', `attachment; filename="import-${imp.id}-errors.csv"`)
  return c.body(csv + '\r\n')
})

const isCsv = (c: Context) => /^(text\/csv|text\/plain|application\/csv|application\/octet-stream)\b/i.test(c.req.header('content-type') ?? '')

const queryOptions = z.object({
  name: z.string().optional(),
  match: z.enum(['userId', 'email']).optional(),
  createNew: z.enum(['true', 'false']).optional(),
  updateExisting: z.enum(['true', 'false']).optional(),
  segmentName: z.string().optional(),
  columns: z.string().optional(),
  chunkRows: z.coerce.number().int().min(1).max(MAX_CHUNK_ROWS).optional(),
})

/** POST /imports with the file as the body: options from the query, columns suggested from the header when not given. */
async function importCsvBody(c: Context<Env>): Promise<ImportRecord> {
  const q = parseOr400(queryOptions, c.req.query())
  const chunkRows = q.chunkRows ?? MAX_CHUNK_ROWS
  const batches = batchesOf(c, chunkRows)
  let first: IteratorResult<CsvBatch>
  try {
    first = await batches.next()
  } catch (e) {
    throw new ApiError(400, 'upload_failed', `the upload stopped before the first ${chunkRows} rows: ${(e as Error).message}`, 'body')
  }
  if (first.done || !first.value.header) throw new ApiError(400, 'empty_file', 'the file has no header row', 'body')
  const header = first.value.header
  let columns: Column[]
  if (q.columns !== undefined) {
    let raw: unknown
    try {
      raw = JSON.parse(q.columns)
    } catch {
      throw new ApiError(400, 'invalid_json', 'columns is not valid JSON', 'columns')
    }
    columns = parseOr400(z.array(columnSchema), raw, 'columns.') as Column[]
  } else {
    const { rows: declared } = await c.var.deps.db.execute({ sql: 'SELECT key, type FROM attribute_definitions WHERE project_id = ?', args: [c.var.projectId] })
    const types = new Map(declared.map((r) => [String(r.key), String(r.type) as AttributeType]))
    const stored = await storedKinds(c.var.deps.db, c.var.projectId)
    columns = suggestColumns(header, first.value.records.slice(0, 200), (key) => types.get(key) ?? stored.get(key)?.kind ?? null)
  }
  if (columns.length !== header.length) throw new ApiError(400, 'column_count', `columns maps ${columns.length} columns, the header has ${header.length}`, 'columns')
  const opts = parseOr400(importOptionsSchema, {
    name: q.name ?? `API import ${new Date(c.var.deps.now()).toISOString().slice(0, 16).replace('T', ' ')}`,
    match: q.match ?? (columns.some((col) => col.target === 'userId') ? 'userId' : 'email'),
    createNew: q.createNew !== 'false',
    updateExisting: q.updateExisting !== 'false',
    segmentName: q.segmentName || null,
    columns,
    chunkRows,
  })
  const imp = await createImport(c.var.deps, c.var.projectId, opts)
  return runCsv(c, imp, (async function* () {
    yield first.value
    yield* batches
  })())
}

function batchesOf(c: Context, chunkRows: number): AsyncGenerator<CsvBatch> {
  const body = c.req.raw.body
  if (!body) throw new ApiError(400, 'empty_file', 'the request has no body', 'body')
  return csvBatches(body, chunkRows)
}

/**
 * Commits the file's chunks in order, numbered from 0, skipping those committed already
 * (a resume). A broken upload or unreadable file fails the import with the reason; what
 * was committed stays, and sending the file again finishes it.
 *
 * One chunk a transaction: two or four together measured no faster at 1M rows (issue 13)
 * and raised the import's peak memory by ~90 MiB, the chunks waiting beside the one in flight.
 */
async function runCsv(c: Context<Env>, imp: ImportRecord, batches: AsyncGenerator<CsvBatch>): Promise<ImportRecord> {
  const headers = imp.columns.map((col) => col.header)
  let seq = 0
  // One chunk commits (on the write thread, on Node) while the next is read and planned;
  // commits stay in order.
  let inFlight: Promise<unknown> = Promise.resolve()
  try {
    for await (const batch of batches) {
      if (batch.header && batch.header.join('\u0000') !== headers.join('\u0000')) {
        throw new ApiError(409, 'file_changed', `the file's header (${batch.header.join(', ')}) is not the import's (${headers.join(', ')})`, 'body')
      }
      if (batch.records.length) {
        const next = await prepareChunk(c.var.deps, imp, seq, { cells: batch.records, rowNumbers: batch.rowNumbers, syntaxErrors: batch.syntaxErrors })
        await inFlight
        inFlight = commitPrepared(c.var.deps, imp, next)
        inFlight.catch(() => {}) // handled at the next await; not an unhandled rejection meanwhile
      }
      seq++
    }
    await inFlight
  } catch (e) {
    await inFlight.catch(() => {})
    await failImport(c.var.deps, imp, e instanceof ApiError ? e.message : `the upload stopped: ${(e as Error).message}`)
    if (e instanceof ApiError) throw e
    throw new ApiError(400, 'upload_failed', `the upload stopped after ${seq} chunks; send the same file to PUT /imports/${imp.id}/csv to finish it`)
  }
  return finishImport(c.var.deps, imp)
}
