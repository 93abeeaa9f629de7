import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { csvBatches } from '../../worker/src/imports/csv-stream.js'

/** A body that arrives in pieces of the given sizes (cycled), like a slow upload. */
function body(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let at = 0
  let k = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      const n = sizes[k++ % sizes.length]
      c.enqueue(bytes.slice(at, at + n))
      at += n
    },
  })
}

async function collect(bytes: Uint8Array, sizes: number[], batchRows: number) {
  const records: string[][] = []
  const rows: number[] = []
  let header: string[] | undefined
  for await (const b of csvBatches(body(bytes, sizes), batchRows)) {
    expect(b.records.length).toBeLessThanOrEqual(batchRows)
    header ??= b.header
    records.push(...b.records)
    rows.push(...b.rowNumbers)
  }
  return { header, records, rows }
}

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'crlf\r\nhere', 'é😀', '', ' padded '),
)

describe('CSV bodies read as they stream in', () => {
  it('gives the records papaparse gives for the whole text, however the bytes are split', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 7 }),
      fc.constantFrom('\n', '\r\n'),
      async (data, sizes, batchRows, newline) => {
        const rows = data.filter((r) => r.some((c) => c.trim() !== ''))
        const text = Papa.unparse([['h1', 'h2', 'h3'], ...rows], { newline, quotes: true })
        const got = await collect(new TextEncoder().encode(`\ufeff${text}${newline}`), sizes, batchRows)
        expect(got.header).toEqual(['h1', 'h2', 'h3'])
        expect(got.records).toEqual(rows)
      },
    ), { numRuns: 200 })
  })

  it('splits a 200,000-row file at piece boundaries inside quoted cells and multi-byte characters', async () => {
    const lines = ['id,note']
    for (let i = 0; i < 200_000; i++) lines.push(i % 7 === 0 ? `${i},"multi\nline, ""quoted"" ✓"` : `${i},plain ✓`)
    const bytes = new TextEncoder().encode(lines.join('\n'))
    const got = await collect(bytes, [65_537, 1, 3], 5000)
    expect(got.records.length).toBe(200_000)
    expect(got.records[7]).toEqual(['7', 'multi\nline, "quoted" ✓'])
    expect(got.records[199_999]).toEqual(['199999', 'plain ✓'])
    expect(got.rows[0]).toBe(2)
    expect(got.rows[199_999]).toBe(200_001)
  })

  it('numbers rows as a spreadsheet does: blank lines skipped but counted, guesses ; and tab', async () => {
    const semi = await collect(new TextEncoder().encode('a;b\n1;2\n\n3;4\n'), [2], 10)
    expect(semi).toEqual({ header: ['a', 'b'], records: [['1', '2'], ['3', '4']], rows: [2, 4] })
    const tab = await collect(new TextEncoder().encode('a\tb\r\n1\t2,5\r\n'), [100], 10)
    expect(tab.records).toEqual([['1', '2,5']])
  })

  it('keeps a character whose bytes arrive in two reads, counts the bytes and names the delimiter', async () => {
    const bytes = new TextEncoder().encode('\ufeffid;name\r\n1;中文名\r\n\r\n2;Zoë\r\n')
    const split = bytes.indexOf(0xe4) + 1
    const batches = []
    for await (const b of csvBatches(body(bytes, [split, bytes.length]), 10, { pieceChars: 1 })) batches.push(b)
    expect(batches.flatMap((b) => b.records)).toEqual([['1', '中文名'], ['2', 'Zoë']])
    expect(batches.flatMap((b) => b.rowNumbers)).toEqual([2, 4])
    expect(batches[0].header).toEqual(['id', 'name'])
    expect(batches.map((b) => b.delimiter)).toEqual(batches.map(() => ';'))
    expect(batches[batches.length - 1].bytes).toBe(bytes.length)
  })

  it('cancels the body when the caller stops early, and reads no further', async () => {
    let pulls = 0
    let cancelled = false
    const lines = new TextEncoder().encode('1,x\n'.repeat(1000))
    const endless = new ReadableStream<Uint8Array>({
      pull(c) { c.enqueue(pulls++ ? lines : new TextEncoder().encode('id,v\n')) },
      cancel() { cancelled = true },
    })
    for await (const b of csvBatches(endless, 200, { pieceChars: 1000 })) {
      expect(b.records).toHaveLength(200)
      break
    }
    const after = pulls
    await new Promise((ok) => setTimeout(ok, 20))
    expect(cancelled).toBe(true)
    expect(pulls).toBe(after)
  })

  it('reports an unbalanced quote as a syntax error of its row', async () => {
    const errors = []
    for await (const b of csvBatches(body(new TextEncoder().encode('a,b\n1,2\n3,"open\n'), [100]), 10)) errors.push(...b.syntaxErrors)
    expect(errors).toEqual([{ row: 3, column: null, code: 'csv_syntax', reason: 'Quoted field unterminated', value: null }])
  })

  it('on a broken upload yields the full batches read so far, then throws', async () => {
    const text = new TextEncoder().encode('a\n' + Array.from({ length: 25 }, (_, i) => `r${i}`).join('\n') + '\n')
    let sent = false
    const broken = new ReadableStream<Uint8Array>({ pull(c) { if (sent) return c.error(new Error('reset')); sent = true; c.enqueue(text) } })
    const seen: number[] = []
    await expect((async () => { for await (const b of csvBatches(broken, 10)) seen.push(b.records.length) })()).rejects.toThrow('reset')
    expect(seen).toEqual([10, 10])
  })
})
