/**
 * A CSV request body → batches of records, read as it arrives (F-64): the file is never
 * whole in memory. Parsing is papaparse's — the library the dashboard parses with — fed
 * the way its own ChunkStreamer feeds it: each piece is parsed with the last, incomplete
 * record held back and prepended to the next piece. Its ParserHandle guesses the
 * delimiter (, ; tab |) and line ends from the first piece and keeps them.
 */
import Papa from 'papaparse'
import type { RowError } from './convert.js'

export interface CsvBatch {
  /** The header row (the first record), on the first batch only. */
  header?: string[]
  records: string[][]
  /** Spreadsheet row numbers of `records` (the header is row 1; blank lines are skipped but counted). */
  rowNumbers: number[]
  /** Records papaparse could not read cleanly (unbalanced quotes, …), by row number. */
  syntaxErrors: RowError[]
  /** Bytes of the body read so far (a progress bar's measure). */
  bytes: number
  /** The delimiter guessed from the first piece. */
  delimiter: string
}

interface ParseResult {
  data: string[][]
  errors: { row?: number; code: string; message: string }[]
  meta: { cursor: number }
}
type Handle = { parse(input: string, baseIndex: number, ignoreLastRow: boolean): ParseResult }
const ParserHandle = (Papa as unknown as { ParserHandle: new (config: object) => Handle }).ParserHandle

const PIECE = 64 * 1024
const emptyBatch = (): CsvBatch => ({ records: [], rowNumbers: [], syntaxErrors: [], bytes: 0, delimiter: ',' })
const DELIMITERS = [',', ';', '\t', '|']

function guessDelimiter(text: string): string {
  const guess = Papa.parse(text.slice(0, PIECE), { preview: 100, skipEmptyLines: 'greedy', delimitersToGuess: DELIMITERS })
  return guess.meta.delimiter || ','
}

/**
 * The body's records in batches of at most `batchRows`, read and parsed only as the caller
 * asks for the next batch. Used by the import API on the server and by the dashboard on a
 * File's stream(), so both read a file the same way.
 */
export async function* csvBatches(body: ReadableStream<Uint8Array>, batchRows: number, opts: { pieceChars?: number } = {}): AsyncGenerator<CsvBatch> {
  const pieceChars = opts.pieceChars ?? PIECE
  let bytes = 0
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, out) {
      bytes += chunk.byteLength
      out.enqueue(chunk)
    },
  })
  // TextDecoderStream drops a UTF-8 byte-order mark and never splits a character between pieces.
  const reader = body.pipeThrough(counted).pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader()
  let handle: Handle | undefined
  let partial = ''
  let base = 0
  let row = 0
  let header: string[] | undefined
  let sent = false
  let broken: unknown = null
  let delimiter: string | undefined
  let batch = emptyBatch()
  const finish = (b: CsvBatch): CsvBatch => {
    const out = { ...b, bytes, delimiter: delimiter ?? ',', ...(sent ? {} : { header }) }
    sent = true
    return out
  }
  try {
    for (;;) {
      // Parse in pieces of at least PIECE characters: the first must hold enough rows to guess
      // the delimiter and line ends from, and tiny network reads would re-parse the held-back record.
      let text = partial
      let done = false
      while (!done && !broken && text.length - partial.length < pieceChars) {
        try {
          const next = await reader.read()
          done = next.done
          if (next.value) text += next.value
        } catch (e) {
          broken = e
        }
      }
      // Blank lines must reach us (to number rows), but they would spoil papaparse's delimiter
      // guess; so it guesses once from the first piece without them, and that delimiter is kept.
      delimiter ??= guessDelimiter(text)
      handle ??= new ParserHandle({ skipEmptyLines: false, delimiter })
      const result = handle.parse(text, base, !done)
      if (!done) {
        partial = text.substring(result.meta.cursor - base)
        base = result.meta.cursor
      }
      const unreadable = new Map<number, string>()
      for (const e of result.errors) if (e.row !== undefined && e.code !== 'UndetectableDelimiter') unreadable.set(e.row, e.message)
      for (let i = 0; i < result.data.length; i++) {
        const record = result.data[i]
        row++
        if (row === 1) {
          header = record.map((h) => h.trim())
          continue
        }
        if (record.length === 1 && record[0].trim() === '') continue
        batch.records.push(record)
        batch.rowNumbers.push(row)
        const problem = unreadable.get(i)
        if (problem) batch.syntaxErrors.push({ row, column: null, code: 'csv_syntax', reason: problem, value: null })
        if (batch.records.length >= batchRows) {
          yield finish(batch)
          batch = emptyBatch()
        }
      }
      // The upload broke: the full batches read before it are yielded (they are the same
      // on a resume), the partial one is not.
      if (broken) throw broken
      if (done) break
    }
    if (batch.records.length || !sent) yield finish(batch)
  } finally {
    // A caller that stops early (the dashboard's preview of the first rows) cancels the
    // body: the rest of the file is not read. After the end it is a no-op.
    await reader.cancel().catch(() => undefined)
  }
}
