import { describe, expect, it } from 'vitest'
import { streamCsv, type CsvBatch } from '../../dashboard/src/pages/imports/csv-stream'

const encode = (s: string) => new TextEncoder().encode(s)

/** Every batch of a file read in small pieces, as the dashboard reads a large one. */
async function read(file: Blob, textChunk = 7) {
  const batches: CsvBatch[] = []
  const info = await streamCsv(file, (b) => void batches.push(b), { textChunk })
  return {
    info,
    header: batches[0]?.header,
    records: batches.flatMap((b) => b.records),
    rows: batches.flatMap((b) => b.rows),
    problems: batches.flatMap((b) => b.problems),
  }
}

describe('the dashboard reads a CSV file as a stream', () => {
  it('drops the BOM, reads CRLF lines, quoted newlines and commas, and numbers rows as a spreadsheet', async () => {
    const file = new Blob([encode('\ufeffid;name;note\r\n1;Zoé;"two\r\nlines, and a comma"\r\n\r\n2;Ünal;"say ""hi"""\r\n')])
    const r = await read(file)
    expect(r.info.delimiter).toBe(';')
    expect(r.header).toEqual(['id', 'name', 'note'])
    expect(r.records).toEqual([['1', 'Zoé', 'two\r\nlines, and a comma'], ['2', 'Ünal', 'say "hi"']])
    // The blank line is row 3: skipped, but counted.
    expect(r.rows).toEqual([2, 4])
  })

  it('keeps a character whose bytes are split between two reads', async () => {
    const bytes = encode('id,name\n1,中文名\n2,Zoë\n')
    const split = bytes.indexOf(0xe4) + 1
    // A Blob made of parts streams part by part: the first ends inside 中.
    const r = await read(new Blob([bytes.slice(0, split), bytes.slice(split)]))
    expect(r.records).toEqual([['1', '中文名'], ['2', 'Zoë']])
  })

  it('guesses tab and comma delimiters, a trailing newline notwithstanding', async () => {
    expect((await read(new Blob(['a\tb\n1\t2\n']))).info.delimiter).toBe('\t')
    expect((await read(new Blob(['a,b\n1,2\n']))).info.delimiter).toBe(',')
  })

  it('parses the next piece only once the caller is done with the previous one', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `${i},user-${i}`).join('\n')
    let busy = false
    let overlapped = false
    let count = 0
    await streamCsv(new Blob(['id,name\n' + lines]), async (b) => {
      if (busy) overlapped = true
      busy = true
      count += b.records.length
      await new Promise((ok) => setTimeout(ok, 1))
      busy = false
    }, { textChunk: 64 })
    expect(overlapped).toBe(false)
    expect(count).toBe(200)
  })

  it('stops reading when the caller says so', async () => {
    let calls = 0
    const lines = Array.from({ length: 500 }, (_, i) => `${i},x`).join('\n')
    await streamCsv(new Blob(['id,v\n' + lines]), () => (++calls, false), { textChunk: 64 })
    expect(calls).toBe(1)
  })

  it('reports an unterminated quote with its row', async () => {
    expect((await read(new Blob(['id,name\n1,a\n2,"open\n3,b\n']), 1000)).problems).toEqual([{ row: 3, message: 'Quoted field unterminated' }])
  })

  it('passes on an error the caller throws', async () => {
    await expect(streamCsv(new Blob(['id\n1\n2\n']), () => { throw new Error('nope') })).rejects.toThrow('nope')
  })
})
