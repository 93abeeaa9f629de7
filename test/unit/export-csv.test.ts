import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import type { ColumnKind, ExportColumn } from '../../worker/src/exports/columns.js'
import { CSV_OPTIONS, csvCell, csvEncoder, csvText } from '../../worker/src/exports/csv.js'

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

  // The page encoder takes shortcuts per column kind (plain strings as they are, numbers
  // unquoted, dates cached); the reference is each cell through csvCell, then Papa.unparse.
  const KINDS: ColumnKind[] = ['string', 'integer', 'number', 'boolean', 'date', 'list', 'any']
  const value = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\r', '\n', '=', '+', '-', '@', '\t', '\ufeff', 'é', "'", '1', ':', 'T', 'Z') }),
    fc.constantFrom('2026-01-05', '2026-01-05T10:00:00.000Z', '2024-03-01 09:30', 'not a date', ' 2026-01-05', '-1', '=1+2'),
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -0, 1796293600921, 8.64e15, 8.64e15 + 1, -5),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }),
  )
  it('encodes pages exactly as csvCell then Papa.unparse would, for every column kind', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 7 }).chain((kinds) => fc.tuple(
        fc.constant(kinds),
        // Runs of repeated values too: the encoder caches a date from the row before.
        fc.array(fc.array(fc.array(value, { minLength: kinds.length, maxLength: kinds.length }), { minLength: 1, maxLength: 6 }).map((rows) => [...rows, ...rows]), { minLength: 1, maxLength: 3 }),
      )),
      ([kinds, pages]) => {
        const columns: ExportColumn[] = kinds.map((kind, i) => ({ name: `c${i}`, kind }))
        const chunks: Uint8Array[] = []
        const enc = csvEncoder(columns, (b) => chunks.push(b))
        for (const page of pages) enc.rows(page)
        enc.end()
        const ours = Buffer.concat(chunks).toString('utf8')
        const rows = pages.flat().map((r) => r.map((v, i) => csvCell(kinds[i], v)))
        expect(ours).toBe(Papa.unparse({ fields: columns.map((c) => c.name), data: rows }, CSV_OPTIONS) + '\r\n')
      },
    ), { numRuns: 1000 })
  })
})
