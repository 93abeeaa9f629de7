/**
 * CSV cells → profile values (F-60). Pure: the import core runs it on the server and the
 * dashboard runs the same code for its column suggestions and its preview, so what the
 * preview shows is what the import stores.
 */
import { cleanText } from '../ingest/clean-json.js'
import type { Kind } from '../segments/condition.js'
import { JUNK_IDS, LIMITS } from '../ingest/limits.js'
import { parseSqliteDate } from '../segments/values.js'

/** An attribute's type: the segment engine's kinds, so what an import stores is what conditions test. */
export type AttributeType = Kind
export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'list'] as const satisfies readonly Kind[]
export const TARGETS = ['userId', 'email', 'name', 'attribute', 'tag', 'ignore'] as const
export type Target = (typeof TARGETS)[number]
export type MatchBy = 'userId' | 'email'

/** Where one CSV column goes. `key` and `type` only for attributes. */
export interface Column {
  header: string
  target: Target
  key?: string
  type?: AttributeType
}

/** A row as it will be stored; blank cells are absent (they never erase a value). */
export interface ImportRow {
  /** The row number as a spreadsheet shows it: the header is row 1. */
  row: number
  userId: string | null
  email: string | null
  name: string | null
  attributes: Record<string, string | number | boolean | string[]>
  tags: string[]
}

export interface RowError {
  row: number
  column: string | null
  code: RowErrorCode
  reason: string
  value: string | null
}

export type RowErrorCode =
  | 'wrong_column_count' | 'missing_key' | 'invalid_user_id' | 'invalid_email' | 'invalid_number'
  | 'invalid_boolean' | 'invalid_date' | 'invalid_tag' | 'value_too_long' | 'csv_syntax'
  | 'user_id_taken' | 'no_match' | 'exists'

export const IMPORT_LIMITS = {
  /** Characters of one cell. */
  cellChars: 8192,
  /** Characters of a tag name (as the tags API). */
  tagChars: 100,
  /** Characters of an email or a name (as the collector keeps them). */
  textChars: 1000,
} as const

/** Attribute keys the dashboard and the API accept. */
export const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/

const TRUE = new Set(['true', 'yes', 'y', 't', '1'])
const FALSE = new Set(['false', 'no', 'n', 'f', '0'])
const WORD_BOOLEANS = new Set(['true', 'false', 'yes', 'no'])
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const LIST_SEPARATOR = /[;,]/

/** The type most sample values fit: boolean words, then numbers, then dates, else string. */
export function detectType(values: string[]): AttributeType {
  const filled = values.map((v) => v.trim()).filter((v) => v !== '')
  if (filled.length === 0) return 'string'
  if (filled.every((v) => WORD_BOOLEANS.has(v.toLowerCase()))) return 'boolean'
  if (filled.every((v) => NUMBER.test(v) && Number.isFinite(Number(v)))) return 'number'
  if (filled.every((v) => parseSqliteDate(v) !== null)) return 'date'
  return 'string'
}

const SYNONYMS: Record<string, Target> = {
  userid: 'userId', user: 'userId', id: 'userId', externalid: 'userId', customerid: 'userId',
  email: 'email', emailaddress: 'email', mail: 'email',
  name: 'name', fullname: 'name', displayname: 'name',
  tag: 'tag', tags: 'tag', labels: 'tag', label: 'tag',
}

/**
 * A first mapping from the header and a sample: known names to native fields, the rest to
 * typed attributes. `typeOf` gives a key's type when the project has one (declared, or what
 * its users hold): that wins over the sample, where one bad cell would make a column text.
 */
export function suggestColumns(header: string[], sample: string[][], typeOf: (key: string) => AttributeType | null = () => null): Column[] {
  const used = new Set<Target>()
  return header.map((h, i) => {
    const known = SYNONYMS[h.toLowerCase().replace(/[^a-z0-9]/g, '')]
    if (known && (known === 'tag' || !used.has(known))) {
      used.add(known)
      return { header: h, target: known }
    }
    const key = attributeKey(h)
    if (!key) return { header: h, target: 'ignore' }
    return { header: h, target: 'attribute', key, type: typeOf(key) ?? detectType(sample.map((r) => r[i] ?? '')) }
  })
}

/** An attribute key from a header: "Signup date" → "signup_date". */
export function attributeKey(header: string): string | null {
  const key = header.trim().toLowerCase().replace(/[^a-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64)
  const k = /^[0-9]/.test(key) ? `_${key}`.slice(0, 64) : key
  return ATTRIBUTE_KEY.test(k) ? k : null
}

/**
 * One CSV record → an ImportRow, or the reasons it cannot be stored. A row with any error
 * is skipped whole: storing half a row would leave a profile nobody asked for. (Plain loops,
 * no closures per row: this runs for every row of a million-row file.)
 */
export function convertRow(columns: Column[], cells: string[], row: number, match: MatchBy): { value: ImportRow | null; errors: RowError[] } {
  const errors: RowError[] = []
  if (cells.length > columns.length && cells.slice(columns.length).some((c) => c.trim() !== '')) {
    errors.push(rowError(row, null, 'wrong_column_count', `has ${cells.length} cells, the header has ${columns.length}`, null))
    return { value: null, errors }
  }
  const out: ImportRow = { row, userId: null, email: null, name: null, attributes: {}, tags: [] }
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]
    if (col.target === 'ignore') continue
    // NUL and unpaired surrogates become U+FFFD, as in the collector: SQLite would cut or choke on them.
    const v = cleanText((cells[i] ?? '').trim())
    if (v === '') continue
    const problem = v.length > IMPORT_LIMITS.cellChars
      ? { code: 'value_too_long' as const, reason: `is longer than ${IMPORT_LIMITS.cellChars} characters`, value: v }
      : convertCell(col, v, out)
    if (problem) errors.push(rowError(row, col.header, problem.code, problem.reason, problem.value))
  }
  if (errors.length) return { value: null, errors }
  if (match === 'userId' && out.userId === null) errors.push(rowError(row, null, 'missing_key', 'has no user id to match on', null))
  if (match === 'email' && out.email === null) errors.push(rowError(row, null, 'missing_key', 'has no email to match on', null))
  return errors.length ? { value: null, errors } : { value: out, errors }
}

const rowError = (row: number, column: string | null, code: RowErrorCode, reason: string, value: string | null): RowError =>
  ({ row, column, code, reason, value: value === null ? null : value.slice(0, 200) })

type Problem = { code: RowErrorCode; reason: string; value: string }

/** One trimmed, non-blank cell into `out`, or what is wrong with it. */
function convertCell(col: Column, v: string, out: ImportRow): Problem | null {
  switch (col.target) {
    case 'userId':
      if (v.length > LIMITS.idChars) return { code: 'invalid_user_id', reason: `a user id has at most ${LIMITS.idChars} characters`, value: v }
      if (JUNK_IDS.has(v.toLowerCase())) return { code: 'invalid_user_id', reason: `"${v}" is a placeholder, not a user id`, value: v }
      out.userId = v
      return null
    case 'email':
      if (v.length > IMPORT_LIMITS.textChars || !EMAIL.test(v)) return { code: 'invalid_email', reason: 'is not an email address', value: v }
      out.email = v
      return null
    case 'name':
      if (v.length > IMPORT_LIMITS.textChars) return { code: 'value_too_long', reason: `a name has at most ${IMPORT_LIMITS.textChars} characters`, value: v }
      out.name = v
      return null
    case 'tag':
      for (const part of v.split(LIST_SEPARATOR)) {
        const t = part.trim()
        if (!t) continue
        if (t.length > IMPORT_LIMITS.tagChars) return { code: 'invalid_tag', reason: `a tag name has at most ${IMPORT_LIMITS.tagChars} characters`, value: t }
        if (!out.tags.includes(t)) out.tags.push(t)
      }
      return null
    case 'attribute': {
      const typed = typedValue(col.type ?? 'string', v)
      if (typed.error) return { ...typed.error, value: v }
      out.attributes[col.key!] = typed.value!
      return null
    }
    default:
      return null
  }
}

/** Date cells repeat (a signup day is shared by thousands of rows): each distinct text is parsed once. */
const knownDates = new Set<string>()
function isDate(v: string): boolean {
  if (knownDates.has(v)) return true
  if (parseSqliteDate(v) === null) return false
  if (knownDates.size >= 10_000) knownDates.clear()
  knownDates.add(v)
  return true
}

type Typed = { value: string | number | boolean | string[]; error?: undefined } | { value?: undefined; error: { code: RowErrorCode; reason: string } }

/** A trimmed, non-blank cell as a value of the column's type. */
export function typedValue(type: AttributeType, v: string): Typed {
  switch (type) {
    case 'string':
      return { value: v }
    case 'number': {
      const n = Number(v)
      return NUMBER.test(v) && Number.isFinite(n) ? { value: n } : { error: { code: 'invalid_number', reason: 'is not a number' } }
    }
    case 'boolean': {
      const l = v.toLowerCase()
      return TRUE.has(l) ? { value: true } : FALSE.has(l) ? { value: false } : { error: { code: 'invalid_boolean', reason: 'is not true/false, yes/no or 1/0' } }
    }
    case 'date': {
      // Stored as text the segment engine reads as a date (YYYY-MM-DD, optionally a time and zone).
      return isDate(v) ? { value: v } : { error: { code: 'invalid_date', reason: 'is not a date like 2024-03-01 or 2024-03-01T09:30:00Z' } }
    }
    case 'list':
      return { value: v.split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean) }
  }
}
