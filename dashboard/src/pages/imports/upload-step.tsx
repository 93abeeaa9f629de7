// Step 1: choose a file. Only its first rows are read here, for the mapping; the whole file
// is read (streamed) at the review and again while sending.
import { useState } from 'preact/hooks'
import { IconUpload } from '../../components/icons'
import { Loading, FormError } from '../../components/states'
import { csvBatches } from '../../../../worker/src/imports/csv-stream'
import { formatBytes } from './import-format'
import type { RowError } from './mapping'

/** Data rows read for the mapping step: the samples, the type detection and the preview. */
export const SAMPLE_ROWS = 200
/** Characters the browser parses at a time (the server's reader, fed a File's stream). */
export const PIECE_CHARS = 1 << 20
/** The server's ceiling on columns (worker/src/imports/options.ts). */
const MAX_COLUMNS = 500

export interface LoadedFile {
  file: File
  header: string[]
  sample: string[][]
  /** Spreadsheet row numbers of `sample`. */
  sampleRows: number[]
  /** Rows of `sample` the parser could not read cleanly: they will be skipped. */
  sampleSyntax: RowError[]
  delimiter: string
}

export async function readHead(file: File): Promise<LoadedFile> {
  // The first batch holds the header and the sample; leaving the loop cancels the rest of the read.
  for await (const batch of csvBatches(file.stream(), SAMPLE_ROWS, { pieceChars: PIECE_CHARS })) {
    const { header, records: sample, rowNumbers: sampleRows, syntaxErrors: sampleSyntax, delimiter } = batch
    if (!header || (header.length === 1 && header[0] === '')) break
    if (sample.length === 0) throw new Error('This file has a header row but no rows to import.')
    if (header.length > MAX_COLUMNS) throw new Error(`This file has ${header.length} columns; an import takes at most ${MAX_COLUMNS}.`)
    return { file, header, sample, sampleRows, sampleSyntax, delimiter }
  }
  throw new Error('This file is empty.')
}

/** `check` may refuse a file that reads fine (a resumed import needs the same columns). */
export function UploadStep({ onLoaded, check }: { onLoaded: (f: LoadedFile) => void; check?: (f: LoadedFile) => string | null }) {
  const [reading, setReading] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [over, setOver] = useState(false)

  const take = async (file: File | undefined) => {
    if (!file) return
    setError(null)
    setReading(file.name)
    try {
      const loaded = await readHead(file)
      const refused = check?.(loaded)
      if (refused) throw new Error(refused)
      onLoaded(loaded)
    } catch (e) {
      setError(`${file.name}: ${(e as Error).message}`)
    } finally {
      setReading(null)
    }
  }

  return (
    <section class="card stack">
      <label
        class={over ? 'drop-zone over' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          void take(e.dataTransfer?.files[0])
        }}
      >
        <input
          type="file"
          class="sr-only"
          accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
          aria-label="CSV file"
          disabled={reading !== null}
          onChange={(e) => {
            void take(e.currentTarget.files?.[0])
            e.currentTarget.value = ''
          }}
        />
        <span class="empty-icon"><IconUpload size={26} /></span>
        <strong>Drop a CSV file here, or <span class="link-like">choose one</span></strong>
        <span class="muted small">Comma, semicolon, tab or pipe separated, UTF-8, the first row naming the columns. Any size: the file is read in pieces, never whole.</span>
      </label>
      {reading && <Loading inline label={`Reading ${reading}…`} />}
      <FormError error={error} />
      <div class="muted small csv-help">
        <p>One row per user. A column to match on is required: <strong>user id</strong> (the id your product uses) or <strong>email</strong>. Other columns become the name, custom attributes (with a type), or tags.</p>
        <p>Example: <code>user_id,email,name,plan,seats,tags</code> — files up to {formatBytes(100 * 1024 * 1024)} and beyond import in chunks of 5,000 rows.</p>
      </div>
    </section>
  )
}
