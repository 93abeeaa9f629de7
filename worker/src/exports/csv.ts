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
  return {
    rows(rows: Row[]) {
      const cells = rows.map((r) => r.map((v, i) => csvCell(columns[i].kind, v)))
      emit(utf8.encode(Papa.unparse(cells, OPTIONS) + '\r\n'))
    },
    end() {},
  }
}

/** The same quoting and formula neutralising for every CSV Jimer writes (import error reports too). */
export { OPTIONS as CSV_OPTIONS }
