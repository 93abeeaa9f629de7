/**
 * The columns a segment export can hold (F-55): the profile's native fields and custom
 * attributes as `attributes.<key>`. Natives are select expressions from a fixed list;
 * attribute keys are user input, so they never reach SQL: each row's attributes are read
 * once and the keys picked in JS (exact for any key, and cheaper than one JSON path
 * extraction per attribute column: ~1.8× at 8 attribute columns).
 */
import { ApiError } from '../errors.js'
import type { Kind } from '../segments/condition.js'
import { ATTRIBUTE_PREFIX, DEFAULT_NATIVE, NATIVE_COLUMNS, type NativeColumn } from './column-names.js'

/** An attribute's declared type: the segment engine's kinds. */
export type AttributeType = Kind
/**
 * How a column's values are typed in the file: natives by their SQL column, declared
 * attributes by their declaration, undeclared attributes ('any') by nothing at all.
 */
export type ColumnKind = 'string' | 'integer' | AttributeType | 'any'

export interface ExportColumn {
  /** The CSV header and the Parquet field name. */
  name: string
  kind: ColumnKind
  /** A native's select expression over `u` (users) and `m` (segment_members), from the list below. */
  sql?: string
  /** An attribute's key in `users.attributes`. */
  key?: string
}

const NATIVE = {
  id: { sql: 'u.id', kind: 'integer' },
  userId: { sql: 'u.user_id', kind: 'string' },
  anonymousId: { sql: 'u.anonymous_id', kind: 'string' },
  email: { sql: 'u.email', kind: 'string' },
  name: { sql: 'u.name', kind: 'string' },
  status: { sql: 'u.status', kind: 'string' },
  createdAt: { sql: 'u.created_at', kind: 'date' },
  // 0 is never seen (issue 14): an empty cell, not 1970.
  firstSeen: { sql: 'nullif(u.first_seen, 0)', kind: 'date' },
  lastSeen: { sql: 'nullif(u.last_seen, 0)', kind: 'date' },
  sessions: { sql: 'u.sessions', kind: 'integer' },
  eventsCount: { sql: 'u.events_count', kind: 'integer' },
  experiencesSeen: { sql: 'u.experiences_seen', kind: 'integer' },
  enteredAt: { sql: 'm.entered_at', kind: 'date' },
} as const satisfies Record<NativeColumn, { sql: string; kind: ColumnKind }>

export const MAX_COLUMNS = 500
const MAX_KEY = 255

/**
 * The `columns` query value: names separated by commas, or a JSON array of names for the
 * rare attribute key that holds a comma. None named (absent, empty, `[]`) means the defaults.
 */
export function parseColumnList(text: string | undefined): string[] | undefined {
  const value = text?.trim()
  if (!value) return undefined
  if (!value.startsWith('[')) return orDefault(value.split(',').map((s) => s.trim()).filter(Boolean))
  let list: unknown
  try { list = JSON.parse(value) } catch { list = null }
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new ApiError(400, 'invalid_field', 'columns: a comma-separated list, or a JSON array of column names', 'columns')
  }
  return orDefault(list as string[])
}

const orDefault = (names: string[]) => (names.length ? names : undefined)

/** The columns by name, in the order asked (repeats dropped); an unknown name is a 400. */
export function resolveColumns(names: string[] | undefined, declared: Map<string, AttributeType>): ExportColumn[] {
  const chosen = names ?? [...DEFAULT_NATIVE, ...[...declared.keys()].map((k) => ATTRIBUTE_PREFIX + k)]
  const unique = [...new Set(chosen)]
  if (unique.length > MAX_COLUMNS) throw new ApiError(400, 'too_many_columns', `at most ${MAX_COLUMNS} columns`, 'columns')
  return unique.map((name) => {
    if (Object.hasOwn(NATIVE, name)) {
      const n = NATIVE[name as NativeColumn]
      return { name, kind: n.kind, sql: n.sql }
    }
    const key = name.startsWith(ATTRIBUTE_PREFIX) ? name.slice(ATTRIBUTE_PREFIX.length) : ''
    if (!key || key.length > MAX_KEY) {
      const shown = name.length > 80 ? name.slice(0, 80) + '…' : name
      throw new ApiError(400, 'unknown_column', `no column "${shown}": use ${NATIVE_COLUMNS.join(', ')} or ${ATTRIBUTE_PREFIX}<key>`, 'columns')
    }
    return { name, kind: declared.get(key) ?? 'any', key }
  })
}
