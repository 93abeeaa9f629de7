/**
 * CSV (RFC 4180) for segment exports: a header row, then each page as it arrives.
 * Quoting is papaparse's; times are ISO 8601, lists and objects JSON text.
 *
 * No byte-order mark: the file is plain UTF-8 as RFC 4180 tools and data pipelines read
 * it (pandas, DuckDB, Sheets); a BOM would land in the first header for many of them.
 */
import Papa from 'papaparse'
import type { ColumnKind, ExportColumn } from './columns.js'
import type { Row } from './members.js'
import type { Emit, Encoder } from './stream.js'
import { toMillis } from './values.js'

/**
 * A text cell a spreadsheet would run as a formula (= + - @, or a tab or CR before one)
 * gets a leading `'`. Papa's own default pattern (`^[=+\-@\t\r].*$`) misses a cell with a
 * line break, because `.` stops there; only strings are tested, so the number -5 stays -5.
 */
const FORMULA = /^[=+\-@\t\r]/
const OPTIONS = { newline: '\r\n', escapeFormulae: FORMULA }

export function csvCell(kind: ColumnKind, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null
  if (kind === 'date') {
    const ms = toMillis(v)
    if (ms !== null) return new Date(ms).toISOString()
  }
  if (typeof v === 'object') return JSON.stringify(v)
  return v as string | number | boolean
}

export function csvEncoder(columns: ExportColumn[], emit: Emit): Encoder {
  const utf8 = new TextEncoder()
  emit(utf8.encode(Papa.unparse([columns.map((c) => c.name)], OPTIONS) + '\r\n'))
  const cells = columns.map((c) => cellWriter(c.kind))
  const last = cells.length - 1
  return {
    rows(rows: Row[]) {
      // One string a page, one encode a page: no array of cells, no join.
      let text = ''
      for (const r of rows) {
        for (let i = 0; i < last; i++) text += cells[i](r[i]) + ','
        text += cells[last](r[last]) + '\r\n'
      }
      emit(utf8.encode(text))
    },
    end() {},
  }
}

/**
 * `csvText(csvCell(kind, v))` for one column, the common cases first: a string that needs
 * neither quotes nor the formula guard is itself, and a number or boolean never needs
 * either (String() of one holds only digits, letters, `.`, `+` and `-`, never first
 * unless negative, and negative numbers are not guarded). Dates held as text parse once
 * per distinct text (a page repeats them: signup days), and a time repeated from the row
 * before is not formatted again.
 */
function cellWriter(kind: ColumnKind): (v: unknown) => string {
  const plain = (v: unknown): string => {
    if (v === null || v === undefined) return ''
    if (typeof v === 'string') return SPECIAL.test(v) ? csvText(v) : v
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    return csvText(csvCell(kind, v))
  }
  if (kind !== 'date') return plain
  const parsed = new Map<string, string>()
  let lastMs: number | undefined
  let lastCell = ''
  return (v) => {
    if (typeof v === 'number') {
      if (v !== lastMs) lastCell = csvText(csvCell(kind, (lastMs = v)))
      return lastCell
    }
    if (typeof v !== 'string') return plain(v)
    let cell = parsed.get(v)
    if (cell === undefined) {
      if (parsed.size >= 10_000) parsed.clear()
      parsed.set(v, (cell = csvText(csvCell(kind, v))))
    }
    return cell
  }
}

/** Anything csvText would change in a string: the formula guard's first characters, or a reason to quote. */
const SPECIAL = /^[=+\-@\t\r ]|[\r\n",\ufeff]| $/

/** Papa's quoting: line breaks, quotes, commas, a byte-order mark, or a space at either end. */
const NEEDS_QUOTES = /[\r\n",\ufeff]|^ | $/

/**
 * One cell exactly as `Papa.unparse` with OPTIONS writes it (test/unit/export-csv.test.ts
 * holds the two together), without its per-cell generality. Why: encoding was about half
 * of the export's time (issue 13: 63k rows/s against 138k for the bare keyset SELECT);
 * not re-measured yet at 1M rows.
 */
export function csvText(v: string | number | boolean | null): string {
  if (v === null) return ''
  let s = String(v)
  let quote = false
  if (typeof v === 'string' && FORMULA.test(s)) {
    s = "'" + s
    quote = true
  }
  return quote || NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
}

/** The same quoting and formula neutralising for every CSV Jimer writes (import error reports too). */
export { OPTIONS as CSV_OPTIONS }
