// A CSV file read in the browser as a stream of records: never whole in memory, and the
// parser waits while the caller is busy with the previous records (backpressure).
import Papa from 'papaparse'

/** Characters handed to the parser at a time: enough to guess the delimiter and line ends. */
export const TEXT_CHUNK = 1 << 20
/** The delimiters guessed from, as the server's reader (worker/src/imports/csv-stream.ts). */
const DELIMITERS = [',', ';', '\t', '|']

export interface CsvBatch {
  /** The first record, trimmed; on the first batch only. */
  header?: string[]
  records: string[][]
  /** Spreadsheet row numbers of `records`: the header is row 1; blank lines are skipped but counted. */
  rows: number[]
  /** Quoting papaparse could not read cleanly, by row number. */
  problems: { row: number; message: string }[]
}

export interface StreamInfo {
  /** Bytes of the file read so far. */
  bytes: number
  /** The delimiter guessed from the first lines. */
  delimiter: string
}

/**
 * Reads `file` as CSV and calls `onBatch` with each batch of records. The next batch is
 * parsed only once the promise `onBatch` returns has settled; returning `false` stops.
 *
 * NOTE: papaparse's own File reader decodes each byte slice on its own, which turns a
 * character split across two slices into two U+FFFD (https://github.com/mholt/PapaParse/issues/751,
 * #1099), and its stream reader buffers everything while paused (#1132). So the bytes go
 * through one TextDecoderStream (which also drops a UTF-8 BOM) and papaparse's stream
 * reader is fed text one piece at a time, only when it has finished the previous one.
 *
 * @example
 * await streamCsv(file, (batch) => void (rows += batch.records.length))
 */
export function streamCsv(
  file: Blob,
  onBatch: (batch: CsvBatch, info: StreamInfo) => void | boolean | Promise<void | boolean>,
  opts: { textChunk?: number } = {},
): Promise<StreamInfo> {
  const info: StreamInfo = { bytes: 0, delimiter: ',' }
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, out) {
      info.bytes += bytes.byteLength
      out.enqueue(bytes)
    },
  })
  // The DOM and Node typings disagree on the decoder's input type; it takes these bytes.
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>
  const reader = file.stream().pipeThrough(counted).pipeThrough(decoder).getReader()
  const target = opts.textChunk ?? TEXT_CHUNK
  let done = false
  let row = 0

  // The shape papaparse takes for a Node readable stream: it listens for 'data' and 'end'.
  const listeners: Record<string, (arg?: unknown) => void> = {}
  const source = {
    readable: true,
    read() {},
    pause() {},
    resume() {},
    on(event: string, fn: (arg?: unknown) => void) { listeners[event] = fn },
    removeListener(event: string) { delete listeners[event] },
  }

  return new Promise<StreamInfo>((resolve, reject) => {
    let failed = false
    const fail = (e: unknown) => {
      if (failed) return
      failed = true
      done = true
      void reader.cancel().catch(() => undefined)
      reject(e instanceof Error ? e : new Error(String(e)))
    }

    /** Hands the parser its next piece of text, or the end of the file. */
    const feed = async () => {
      try {
        let text = ''
        while (text.length < target) {
          const r = await reader.read()
          if (r.done) {
            done = true
            break
          }
          text += r.value
        }
        // Lets the page paint between pieces: a large file never freezes it.
        await new Promise((ok) => setTimeout(ok, 0))
        if (failed) return
        if (text) listeners.data?.(text)
        if (done) listeners.end?.()
      } catch (e) {
        fail(e)
      }
    }

    /** One parsed piece → a batch: the header taken out, blank lines dropped, rows numbered. */
    const batchOf = (data: string[][], errors: Papa.ParseError[]): CsvBatch => {
      const broken = new Map(errors.filter((e) => e.type === 'Quotes' && e.row !== undefined).map((e) => [e.row!, e.message]))
      const batch: CsvBatch = { records: [], rows: [], problems: [] }
      data.forEach((record, i) => {
        row++
        if (row === 1) return void (batch.header = record.map((h, k) => (k === 0 ? h.replace(/^\ufeff/, '') : h).trim()))
        if (record.length === 1 && record[0].trim() === '') return
        batch.records.push(record)
        batch.rows.push(row)
        const problem = broken.get(i)
        if (problem) batch.problems.push({ row, message: problem })
      })
      return batch
    }

    Papa.parse(source as unknown as File, {
      delimiter: (text: string) => (info.delimiter = guessDelimiter(text)),
      // Blank lines must reach batchOf to be counted; they would spoil the guess, made apart.
      skipEmptyLines: false,
      chunk(results, parser) {
        // Paused until the caller is done with this batch; resume() then asks `feed` for more.
        parser.pause()
        Promise.resolve(onBatch(batchOf(results.data as string[][], results.errors), info)).then(
          (go) => {
            if (failed) return
            if (go === false) {
              done = true
              void reader.cancel().catch(() => undefined)
              parser.abort()
              return
            }
            parser.resume()
            if (!done) void feed()
          },
          (e) => {
            fail(e)
            parser.abort()
          },
        )
      },
      complete: () => {
        if (!failed) resolve(info)
      },
      error: (e: Error) => fail(e),
    })
    void feed()
  })
}

/** Papaparse's guess over the first lines, blank ones aside (a trailing newline would spoil it). */
function guessDelimiter(text: string): string {
  const sample = Papa.parse<string[]>(text.slice(0, 65_536), { delimitersToGuess: DELIMITERS, skipEmptyLines: 'greedy', preview: 100 })
  return sample.meta.delimiter || ','
}
