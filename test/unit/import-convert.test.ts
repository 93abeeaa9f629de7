import { describe, expect, it } from 'vitest'
import { attributeKey, convertRow, detectType, suggestColumns, typedValue, type Column } from '../../worker/src/imports/convert.js'

describe('import conversion (shared by the dashboard preview and the server)', () => {
  it('detects types from sample values, blanks ignored', () => {
    expect(detectType(['yes', 'No', '', 'TRUE'])).toBe('boolean')
    expect(detectType(['1', '2.5', '-3', '1e3', ' 4 '])).toBe('number')
    expect(detectType(['0', '1'])).toBe('number')
    expect(detectType(['2024-03-01', '2024-03-01T09:30:00Z', '2024-03-01 10:00'])).toBe('date')
    expect(detectType(['2024-03-01', 'soon'])).toBe('string')
    expect(detectType(['12', 'twelve'])).toBe('string')
    expect(detectType(['', ' '])).toBe('string')
    expect(detectType(['0x10', 'Infinity'])).toBe('string')
  })

  it('suggests native fields from known headers, typed attributes for the rest', () => {
    const cols = suggestColumns(['User ID', 'E-mail', 'Name', 'Plan', 'Seats', '', 'Tags', 'email'], [['u1', 'a@x.io', 'Ann', 'pro', '3', 'x', 'vip', 'b@x.io']])
    expect(cols).toEqual([
      { header: 'User ID', target: 'userId' }, { header: 'E-mail', target: 'email' }, { header: 'Name', target: 'name' },
      { header: 'Plan', target: 'attribute', key: 'plan', type: 'string' }, { header: 'Seats', target: 'attribute', key: 'seats', type: 'number' },
      { header: '', target: 'ignore' }, { header: 'Tags', target: 'tag' },
      // A second email column is not a second email: it becomes an attribute.
      { header: 'email', target: 'attribute', key: 'email', type: 'string' },
    ])
    expect(attributeKey('Signup date (UTC)')).toBe('signup_date_utc')
    expect(attributeKey('2nd plan')).toBe('_2nd_plan')
    expect(attributeKey('!!!')).toBe(null)
  })

  it('converts cells to typed values; blanks are absent, lists and tags split on , and ;', () => {
    const columns: Column[] = [
      { header: 'id', target: 'userId' }, { header: 'mail', target: 'email' }, { header: 'n', target: 'attribute', key: 'n', type: 'number' },
      { header: 'b', target: 'attribute', key: 'b', type: 'boolean' }, { header: 'l', target: 'attribute', key: 'l', type: 'list' },
      { header: 't', target: 'tag' }, { header: 'skip', target: 'ignore' }, { header: 's', target: 'attribute', key: 's', type: 'string' },
    ]
    expect(convertRow(columns, [' u1 ', 'a@x.io', '-2.5', 'N', 'a; b,,c', 'vip;vip, beta', '=evil', ''], 7, 'userId')).toEqual({
      value: { row: 7, userId: 'u1', email: 'a@x.io', name: null, attributes: { n: -2.5, b: false, l: ['a', 'b', 'c'] }, tags: ['vip', 'beta'] },
      errors: [],
    })
    expect(typedValue('boolean', '1')).toEqual({ value: true })
    expect(typedValue('number', '1,5').error?.code).toBe('invalid_number')
    expect(typedValue('date', '31/12/2024').error?.code).toBe('invalid_date')
  })

  it('names every problem of a row with its column, and skips the row whole', () => {
    const columns: Column[] = [{ header: 'mail', target: 'email' }, { header: 'n', target: 'attribute', key: 'n', type: 'number' }, { header: 'd', target: 'attribute', key: 'd', type: 'date' }]
    const r = convertRow(columns, ['not-an-email', 'x', 'never'], 3, 'email')
    expect(r.value).toBe(null)
    expect(r.errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([[3, 'mail', 'invalid_email', 'not-an-email'], [3, 'n', 'invalid_number', 'x'], [3, 'd', 'invalid_date', 'never']])
    expect(convertRow(columns, ['', '1', ''], 4, 'email').errors.map((e) => e.code)).toEqual(['missing_key'])
    expect(convertRow(columns, ['a@x.io', '1', '', 'extra'], 5, 'email').errors.map((e) => e.code)).toEqual(['wrong_column_count'])
    // Trailing empty cells (a spreadsheet's extra commas) are not extra columns; missing trailing cells are blanks.
    expect(convertRow(columns, ['a@x.io', '1', '', '', ''], 6, 'email').value?.attributes).toEqual({ n: 1 })
    expect(convertRow(columns, ['a@x.io'], 7, 'email').value?.attributes).toEqual({})
    expect(convertRow([{ header: 'id', target: 'userId' }], ['null'], 8, 'userId').errors[0].code).toBe('invalid_user_id')
  })
})
