// Sending a file (F-60, F-64): the file is read again as a stream and sent in numbered chunks
// of raw rows, one at a time; the parser waits while a chunk is in flight. A chunk that meets
// a network error is sent again with the same number, which the server takes once: that is
// what makes an import survive a flaky connection. A resumed import sends every chunk again,
// so the server can check each committed one against the file. The job lives outside any
// screen, so moving to the history while it runs does not stop it.
import { signal } from '@preact/signals'
import { ApiError, type ProjectApi } from '../../api'
import type { ImportView } from '../../api-types'
import { csvBatches } from '../../../../worker/src/imports/csv-stream'
import { cleanColumns, type Mapping } from './mapping'
import { PIECE_CHARS } from './upload-step'

/** The server's ceiling (worker/src/imports/options.ts); it answers the size it will take. */
export const CHUNK_ROWS = 5000
/** Waits before each retry of a chunk; after the last one the import fails. */
export const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000, 30_000]

export interface Job {
  projectId: string
  fileName: string
  phase: 'creating' | 'sending' | 'finishing' | 'done' | 'failed' | 'cancelled'
  rowsTotal: number
  rowsSent: number
  bytesTotal: number
  /** Bytes of the file up to the last row sent (estimated from the rows, never past the bytes read). */
  bytesSent: number
  /** Set while a request waits to be sent again: what ("Chunk 3"), which attempt comes next, why. */
  retry: { what: string; attempt: number; message: string } | null
  view: ImportView | null
  error: string | null
}

/** The import being sent from this tab, if any. */
export const job = signal<Job | null>(null)
let cancelled = false
/** What the last job was started with, to try a stopped one again. */
let last: Parameters<typeof startImport> | null = null

const update = (patch: Partial<Job>) => void (job.value = { ...job.value!, ...patch })
export const isActive = (j: Job | null) => j !== null && ['creating', 'sending', 'finishing'].includes(j.phase)

/** Stops the running import after the chunk in flight; it is marked failed on the server. */
export function cancelJob() {
  cancelled = true
}

/** Sends the job that stopped again, from the same file: committed chunks are checked, not imported twice. */
export async function retryJob() {
  const id = job.value?.view?.id
  if (!last || !id || isActive(job.value)) return
  const [api, projectId, file, mapping, opts] = last
  try {
    await startImport(api, projectId, file, mapping, { ...opts, resume: await api.import(id) })
  } catch (e) {
    update({ error: (e as Error).message })
  }
}

/** Forgets a finished job, so the flow can start another. */
export function clearJob() {
  if (!isActive(job.value)) job.value = null
}

class Cancelled extends Error {}

const retryable = (e: unknown) => e instanceof ApiError && (e.status === 0 || e.status === 429 || e.status >= 500)

/** Runs `send` until it succeeds, waiting longer after each network or server error. */
async function withRetry<T>(what: string, send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await send()
      if (attempt) update({ retry: null })
      return out
    } catch (e) {
      if (!retryable(e) || attempt >= BACKOFF_MS.length) throw e
      update({ retry: { what, attempt: attempt + 2, message: (e as Error).message } })
      await new Promise((ok) => setTimeout(ok, BACKOFF_MS[attempt]))
      if (cancelled) throw new Cancelled()
    }
  }
}

// NOTE: closing the tab mid-import would leave it half sent; the browser asks first.
const holdPage = (e: BeforeUnloadEvent) => {
  e.preventDefault()
  e.returnValue = ''
}

/**
 * Sends `file` as a new import, or again for `resume` (an import that stopped). Then every
 * chunk is sent with the same number as before: the server answers a committed one from its
 * record if the rows are the same, and refuses it (chunk_conflict) if the file is another.
 */
export async function startImport(
  api: ProjectApi,
  projectId: string,
  file: File,
  mapping: Mapping,
  opts: { name: string; segmentName: string | null; rowsTotal: number; resume?: ImportView },
): Promise<void> {
  if (isActive(job.value)) return
  last = [api, projectId, file, mapping, opts]
  cancelled = false
  job.value = {
    projectId, fileName: file.name, phase: 'creating', rowsTotal: opts.rowsTotal, rowsSent: 0, bytesTotal: file.size, bytesSent: 0,
    retry: null, view: null, error: null,
  }
  window.addEventListener('beforeunload', holdPage)
  let view: ImportView | null = null
  try {
    view = opts.resume ?? await api.createImport({
      name: opts.name, match: mapping.match, createNew: mapping.createNew, updateExisting: mapping.updateExisting,
      columns: cleanColumns(mapping.columns), segmentName: opts.segmentName, chunkRows: CHUNK_ROWS,
    })
    const id = view.id
    update({ view, phase: 'sending' })
    // A resumed import keeps the size its chunks were numbered with.
    const size = opts.resume ? view.chunkRows : Math.min(view.chunkRows || CHUNK_ROWS, CHUNK_ROWS)
    let seq = 0
    for await (const batch of csvBatches(file.stream(), size, { pieceChars: PIECE_CHARS })) {
      if (!batch.records.length) continue
      if (cancelled) throw new Cancelled()
      const n = seq++
      const { records: rows, rowNumbers } = batch
      // Row numbers as a spreadsheet shows them; spelled out only when blank lines left gaps.
      const consecutive = rowNumbers[rowNumbers.length - 1] - rowNumbers[0] === rowNumbers.length - 1
      const body = {
        rows,
        ...(consecutive ? { firstRow: rowNumbers[0] } : { rowNumbers }),
        ...(batch.syntaxErrors.length ? { syntaxErrors: batch.syntaxErrors.map((e) => ({ row: e.row, reason: e.reason })) } : {}),
      }
      const r = await withRetry(`Chunk ${n + 1}`, () => api.sendChunk(id, n, body)).catch((e: unknown) => {
        if (e instanceof ApiError && e.code === 'chunk_conflict') throw new Error(`This is not the same file: chunk ${n + 1} differs from the one imported before.`)
        throw e
      })
      const rowsSent = job.value!.rowsSent + rows.length
      // A piece of text is read ahead of the rows sent: the bytes are the rows' share of the file, up to those read.
      update({ view: r.import, rowsSent, bytesSent: Math.min(batch.bytes, Math.round((file.size * rowsSent) / Math.max(opts.rowsTotal, rowsSent))) })
    }
    update({ phase: 'finishing', bytesSent: file.size })
    view = await withRetry('Finishing', () => api.finishImport(id))
    update({ phase: 'done', view })
  } catch (e) {
    const reason = e instanceof Cancelled ? 'Cancelled in the dashboard.' : (e as Error).message || 'The import stopped.'
    const failed = view ? await api.failImport(view.id, reason).catch(() => null) : null
    update({ phase: e instanceof Cancelled ? 'cancelled' : 'failed', error: reason, retry: null, view: failed ?? view })
  } finally {
    window.removeEventListener('beforeunload', holdPage)
  }
}
