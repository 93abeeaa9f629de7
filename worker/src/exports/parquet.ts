/**
 * Parquet for segment exports, typed from the columns (hyparquet-writer): one row group per
 * page, each handed to the stream as soon as it is written, so memory stays flat for any
 * number of rows. Only the footer (row group offsets and statistics) grows with the file.
 */
import type { SchemaElement } from 'hyparquet'
// NOTE: the module, not the package entry: under Node the entry adds a file writer that
// imports `fs`, and this core runs on Workers too.
import { ByteWriter } from 'hyparquet-writer/src/bytewriter.js'
import { ParquetWriter } from 'hyparquet-writer/src/parquet-writer.js'
import type { ColumnKind, ExportColumn } from './columns.js'
import type { Row } from './members.js'
import type { Emit, Encoder } from './stream.js'
import { asText, toMillis } from './values.js'

type Field = { element: Omit<SchemaElement, 'name'>; value: (v: unknown) => unknown }

const nullable = (f: (v: NonNullable<unknown>) => unknown) => (v: unknown) => (v === null || v === undefined ? null : f(v))
const number = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null)
const text: Field = { element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' }, value: nullable(asText) }

/**
 * Each kind's Parquet type, and its values in that type. A stored value that does not fit
 * its declared type (kept from before the declaration) is left empty, as null.
 */
const FIELDS: Record<ColumnKind, Field> = {
  string: text,
  any: text,
  list: text,
  integer: { element: { type: 'INT64' }, value: nullable((v) => (Number.isSafeInteger(v) ? BigInt(v as number) : null)) },
  number: { element: { type: 'DOUBLE' }, value: nullable(number) },
  boolean: { element: { type: 'BOOLEAN' }, value: nullable((v) => (typeof v === 'boolean' ? v : null)) },
  // Millisecond timestamps, as the engine stores times; hyparquet-writer takes them as numbers.
  date: { element: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }, value: nullable(toMillis) },
}

export function parquetSchema(columns: ExportColumn[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((c) => ({ name: c.name, repetition_type: 'OPTIONAL' as const, ...FIELDS[c.kind].element })),
  ]
}

/** Dates held as text repeat (signup days): each distinct text is parsed once. */
function datesOnce(value: (v: unknown) => unknown): (v: unknown) => unknown {
  const parsed = new Map<string, unknown>()
  return (v) => {
    if (typeof v !== 'string') return value(v)
    if (parsed.has(v)) return parsed.get(v)
    if (parsed.size >= 10_000) parsed.clear()
    const out = value(v)
    parsed.set(v, out)
    return out
  }
}

/** A ByteWriter whose bytes leave at every flush (after each row group) instead of piling up. */
class StreamWriter extends ByteWriter {
  constructor(private readonly out: Emit) {
    super(1 << 16)
  }
  flush() {
    if (!this.index) return
    // A copy: the buffer is reused for the next row group.
    this.out(new Uint8Array(this.buffer.slice(0, this.index)))
    this.index = 0
  }
  finish() {
    this.flush()
  }
}

export function parquetEncoder(columns: ExportColumn[], emit: Emit): Encoder {
  const writer = new StreamWriter(emit)
  const pq = new ParquetWriter({ writer, schema: parquetSchema(columns), createdBy: 'jimer' })
  writer.flush() // the leading magic bytes
  const convert = columns.map((c) => (c.kind === 'date' ? datesOnce(FIELDS.date.value) : FIELDS[c.kind].value))
  return {
    rows(rows: Row[]) {
      const columnData = columns.map((c, i) => {
        const f = convert[i]
        const data: unknown[] = new Array(rows.length)
        for (let r = 0; r < rows.length; r++) data[r] = f(rows[r][i])
        return { name: c.name, data }
      })
      // One row group for the page; with no writer.flush promise, the write is synchronous.
      void pq.write({ columnData, rowGroupSize: rows.length })
    },
    end() {
      void pq.finish()
    },
  }
}
