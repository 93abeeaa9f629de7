import { describe, expect, it } from 'vitest'
import { cleanColumns, emptyTally, isValid, mappingProblems, tallyBatch, type Column, type Mapping } from '../../dashboard/src/pages/imports/mapping'

const base = (columns: Column[], patch: Partial<Mapping> = {}): Mapping => ({ columns, match: 'userId', createNew: true, updateExisting: true, ...patch })
const id: Column = { header: 'id', target: 'userId' }

describe('the import mapping the dashboard checks before sending', () => {
  it.each([
    ['a valid mapping', base([id, { header: 'Plan', target: 'attribute', key: 'plan', type: 'string' }]), [], [null, null]],
    ['no column to match on', base([{ header: 'mail', target: 'email' }]), ['Map one column to User id: rows are matched on it.'], [null]],
    ['two email columns', base([id, { header: 'a', target: 'email' }, { header: 'b', target: 'email' }]), ['Only one column can be Email.'], [null, null, null]],
    ['both switches off', base([id], { createNew: false, updateExisting: false }), [expect.stringContaining('nothing would change')], [null]],
    ['a duplicate key', base([id, { header: 'a', target: 'attribute', key: 'plan' }, { header: 'b', target: 'attribute', key: 'plan' }]), [], [null, null, 'Column 2 already uses this key.']],
    ['an invalid key', base([id, { header: 'a', target: 'attribute', key: '9 lives' }]), [], [null, expect.stringContaining('start with a letter')]],
    ['a native key', base([id, { header: 'a', target: 'attribute', key: 'email' }]), [], [null, expect.stringContaining('native field')]],
    ['an empty key', base([id, { header: 'a', target: 'attribute', key: '' }]), [], [null, 'Name the attribute.']],
  ] as const)('%s', (_name, mapping, general, columns) => {
    const p = mappingProblems(mapping as Mapping)
    expect(p).toEqual({ general, columns })
    expect(isValid(p)).toBe(general.length === 0 && columns.every((c) => c === null))
  })

  it('refuses a type other than the one Settings declares', () => {
    const p = mappingProblems(base([id, { header: 'Seats', target: 'attribute', key: 'seats', type: 'string' }]), (k) => (k === 'seats' ? 'number' : null))
    expect(p.columns[1]).toBe('Declared as Number in Settings: choose Number, or another key.')
  })

  it('refuses text over the numbers users hold, as the server does, and lets text over text be', () => {
    const held = (k: string) => (k === 'seats' ? 'number' : k === 'tier' ? 'string' : null)
    const p = mappingProblems(base([id, { header: 'Seats', target: 'attribute', key: 'seats', type: 'string' }, { header: 'Tier', target: 'attribute', key: 'tier', type: 'date' }]), () => null, held)
    expect(p.columns).toEqual([null, 'Users hold Number values in “seats”: choose Number (cells that are not are skipped and reported), or another key.', null])
  })

  it('sends key and type only for attributes', () => {
    expect(cleanColumns([{ header: 'id', target: 'userId', key: 'x', type: 'number' }, { header: 'p', target: 'attribute', key: 'p' }])).toEqual([
      { header: 'id', target: 'userId' }, { header: 'p', target: 'attribute', key: 'p', type: 'string' },
    ])
  })

  it('tallies a batch as the server will take it, by error kind, with spreadsheet row numbers; broken quoting skips the row', () => {
    const t = emptyTally()
    const m = base([id, { header: 'Seats', target: 'attribute', key: 'seats', type: 'number' }])
    const quote = { row: 7, column: null, code: 'csv_syntax' as const, reason: 'Quoted field unterminated', value: null }
    tallyBatch(t, m, { records: [['a', '1'], ['b', 'many'], ['', '2'], ['c', '3\nd,4\n']], rowNumbers: [2, 3, 5, 7], syntaxErrors: [quote] })
    expect(t).toMatchObject({ rows: 4, bad: 3, byCode: { invalid_number: 1, missing_key: 1, csv_syntax: 1 }, quoting: [quote] })
    expect(t.sample.map((e) => [e.row, e.column, e.code])).toEqual([[3, 'Seats', 'invalid_number'], [5, null, 'missing_key'], [7, null, 'csv_syntax']])
  })
})
