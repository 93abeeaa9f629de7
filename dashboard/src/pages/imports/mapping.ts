// The column mapping as the flow edits it, what is wrong with it, and the tally of a full
// pass over the file. The conversion itself is the server's (worker/src/imports/convert.ts).
import { ATTRIBUTE_KEY, convertRow, type AttributeType, type Column, type MatchBy, type RowError, type RowErrorCode, type Target } from '../../../../worker/src/imports/convert'
import type { CsvBatch } from '../../../../worker/src/imports/csv-stream'
import { GUARDED } from '../../../../worker/src/imports/known-types'

export type { AttributeType, Column, MatchBy, RowError, RowErrorCode, Target }

export const TARGET_LABEL: Record<Target, string> = {
  userId: 'User id', email: 'Email', name: 'Name', attribute: 'Custom attribute', tag: 'Tag', ignore: 'Ignore',
}
export const TYPE_LABEL: Record<AttributeType, string> = { string: 'String', number: 'Number', boolean: 'Boolean', date: 'Date', list: 'List' }

export const ERROR_LABEL: Record<RowErrorCode, string> = {
  wrong_column_count: 'Wrong number of cells',
  missing_key: 'Nothing to match on',
  invalid_user_id: 'Invalid user id',
  invalid_email: 'Invalid email',
  invalid_number: 'Not a number',
  invalid_boolean: 'Not a boolean',
  invalid_date: 'Not a date',
  invalid_tag: 'Invalid tag',
  value_too_long: 'Value too long',
  csv_syntax: 'Broken quoting',
  user_id_taken: 'User id taken',
  no_match: 'No such user',
  exists: 'User exists',
}

/** Keys the server keeps for native fields: an attribute by that name is refused. */
const NATIVE_KEYS = ['email', 'name', 'user_id', 'userId']

export interface Mapping {
  columns: Column[]
  match: MatchBy
  createNew: boolean
  updateExisting: boolean
}

/**
 * Per column, what stops the import; plus problems of the mapping as a whole. `declared`
 * gives the type Settings declares for a key, `held` the kind all users holding it hold:
 * the server refuses another (for number, boolean and list).
 */
export function mappingProblems(m: Mapping, declared: (key: string) => AttributeType | null = () => null, held: (key: string) => AttributeType | null = () => null): { columns: (string | null)[]; general: string[] } {
  const general: string[] = []
  const count = (t: Target) => m.columns.filter((c) => c.target === t).length
  for (const t of ['userId', 'email', 'name'] as const) {
    if (count(t) > 1) general.push(`Only one column can be ${TARGET_LABEL[t]}.`)
  }
  if (count(m.match) === 0) general.push(`Map one column to ${TARGET_LABEL[m.match]}: rows are matched on it.`)
  if (!m.createNew && !m.updateExisting) general.push('Turn on “Create new users” or “Update existing users”: with both off nothing would change.')
  const keys = new Map<string, number>()
  const columns = m.columns.map((c, i) => {
    if (c.target !== 'attribute') return null
    const key = c.key ?? ''
    if (!key) return 'Name the attribute.'
    if (!ATTRIBUTE_KEY.test(key)) return 'Letters, digits, _ . - only; start with a letter or _; at most 64.'
    if (NATIVE_KEYS.includes(key)) return `“${key}” is a native field: import the column as ${key === 'name' ? 'Name' : key === 'email' ? 'Email' : 'User id'}.`
    if (keys.has(key)) return `Column ${keys.get(key)! + 1} already uses this key.`
    keys.set(key, i)
    const want = declared(key)
    if (want && want !== (c.type ?? 'string')) return `Declared as ${TYPE_LABEL[want]} in Settings: choose ${TYPE_LABEL[want]}, or another key.`
    // As the server (worker/src/imports/known-types.ts): text must not replace the numbers users hold.
    const has = want ? null : held(key)
    if (has && GUARDED.has(has) && has !== (c.type ?? 'string')) return `Users hold ${TYPE_LABEL[has]} values in “${key}”: choose ${TYPE_LABEL[has]} (cells that are not are skipped and reported), or another key.`
    return null
  })
  return { columns, general }
}

export const isValid = (p: ReturnType<typeof mappingProblems>) => p.general.length === 0 && p.columns.every((c) => c === null)

/** The columns as the server takes them: key and type only on attributes. */
export const cleanColumns = (columns: Column[]): Column[] =>
  columns.map((c) => (c.target === 'attribute' ? { header: c.header, target: c.target, key: c.key, type: c.type ?? 'string' } : { header: c.header, target: c.target }))

/**
 * A row as the server will take it: one the parser could not read cleanly is skipped with
 * its syntax error (worker/src/imports/chunk.ts), any other is converted.
 */
export function convertRead(m: Mapping, cells: string[], row: number, syntax: RowError | undefined): ReturnType<typeof convertRow> {
  return syntax ? { value: null, errors: [syntax] } : convertRow(m.columns, cells, row, m.match)
}

/**
 * The review's count of a full pass: rows, rows that will be skipped by reason, a sample;
 * and the first rows with broken quoting, which are skipped too but deserve a word of
 * their own (an unclosed quote runs on into the lines after it).
 */
export interface Tally {
  rows: number
  bad: number
  byCode: Partial<Record<RowErrorCode, number>>
  sample: RowError[]
  quoting: RowError[]
}
export const SAMPLE_ERRORS = 20

export const emptyTally = (): Tally => ({ rows: 0, bad: 0, byCode: {}, sample: [], quoting: [] })

/** Adds a batch to the tally, each record converted as the server will. */
export function tallyBatch(t: Tally, m: Mapping, batch: Pick<CsvBatch, 'records' | 'rowNumbers' | 'syntaxErrors'>) {
  const unreadable = new Map(batch.syntaxErrors.map((e) => [e.row, e]))
  for (const e of batch.syntaxErrors) if (t.quoting.length < SAMPLE_ERRORS) t.quoting.push(e)
  batch.records.forEach((cells, i) => {
    const row = batch.rowNumbers[i]
    const { errors } = convertRead(m, cells, row, unreadable.get(row))
    t.rows++
    if (!errors.length) return
    t.bad++
    for (const e of errors) {
      t.byCode[e.code] = (t.byCode[e.code] ?? 0) + 1
      if (t.sample.length < SAMPLE_ERRORS) t.sample.push(e)
    }
  })
}
