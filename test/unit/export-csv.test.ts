import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { CSV_OPTIONS, csvText } from '../../worker/src/exports/csv.js'

/** The export's own CSV cells are Papa's, character for character: quoting, doubled quotes, formula guard. */
describe('CSV export cells', () => {
  const cell = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\r', '\n', '=', '+', '-', '@', '\t', '\ufeff', 'é', "'") }),
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  )
  it('writes every row exactly as Papa.unparse does', () => {
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
      const ours = rows.map((r) => r.map(csvText).join(',')).join('\r\n')
      expect(ours).toBe(Papa.unparse(rows, CSV_OPTIONS))
    }), { numRuns: 2000 })
  })
})
