// `npm test`: every tier through vitest, then the plain closing line CI reads.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'

mkdirSync('.tmp', { recursive: true })
// Every tier tests what is built now: the snippet, the dashboard and the Worker bundle.
await (await import('./build.mjs')).buildAll()
const report = '.tmp/vitest-report.json'
const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], { stdio: 'inherit' })
let passed = 0
let failed = 0
try {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  passed = r.numPassedTests
  failed = r.numFailedTests + (r.numFailedTestSuites ?? 0)
} catch {
  failed = 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1)
