/** Snippet size rows: dist/s.js and the stub, min and gzip -9, beside peers' published sizes. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { buildSnippet, sampleStub, sizes } from '../scripts/build-snippet.mjs'
import type { Table } from './table.js'

export async function snippetBench(table: Table): Promise<{ ok: boolean }> {
  await buildSnippet()
  const root = resolve(import.meta.dirname, '..')
  const script = sizes(readFileSync(resolve(root, 'dist/s.js'), 'utf8'))
  const stub = sizes(sampleStub(readFileSync(resolve(root, 'dist/stub.min.js'), 'utf8')))
  table.add({
    figure: 'snippet dist/s.js, gzip -9 (min)', value: `${script.gzip} B (${script.min} B)`,
    baseline: "plausible-tracker (no identity) / Umami, published", baselineValue: '1,438 B / ≈2,200 B', ratio: (script.gzip / 1438).toFixed(2),
    target: '≤ 2,048 B (goal ≤ 1,400 B)', met: script.gzip <= 2048,
  })
  table.add({ figure: 'snippet stub with key and URL, min (gzip -9)', value: `${stub.min} B (${stub.gzip} B)`, target: '≤ 400 B min', met: stub.min <= 400 })
  return { ok: true }
}
