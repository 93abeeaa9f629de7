// `npm run size`: builds the snippet, prints min and gzip -9 bytes of dist/s.js and of the
// stub, and exits 1 over budget (s.js ≤ 2,048 B gzip, stub ≤ 400 B min with a real key and URL).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { BUDGET, buildSnippet, sampleStub, sizes } from './build-snippet.mjs'

const root = resolve(import.meta.dirname, '..')
await buildSnippet()
const script = sizes(readFileSync(resolve(root, 'dist/s.js'), 'utf8'))
const template = readFileSync(resolve(root, 'dist/stub.min.js'), 'utf8')
const stub = sizes(sampleStub(template))

const rows = [
  ['dist/s.js', script, `gzip ≤ ${BUDGET.scriptGzip} (goal ≤ ${BUDGET.scriptGzipGoal})`, script.gzip <= BUDGET.scriptGzip],
  ['stub (with key and URL)', stub, `min ≤ ${BUDGET.stubMin}`, stub.min <= BUDGET.stubMin],
  ['dist/stub.min.js (placeholders)', sizes(template), '', true],
]
console.log(['file'.padEnd(32), 'min'.padStart(6), 'gzip -9'.padStart(8), '  budget'].join(''))
for (const [name, s, budget, ok] of rows) {
  console.log([name.padEnd(32), String(s.min).padStart(6), String(s.gzip).padStart(8), `  ${budget}${budget ? (ok ? '  ok' : '  OVER') : ''}`].join(''))
}
if (script.gzip > BUDGET.scriptGzipGoal) console.log(`s.js is ${script.gzip - BUDGET.scriptGzipGoal} B over the ${BUDGET.scriptGzipGoal} B goal`)
if (rows.some((r) => !r[3])) {
  console.error('over budget')
  process.exit(1)
}
