// `npm test`: every tier through vitest, then the plain closing line CI reads.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'

mkdirSync('.tmp', { recursive: true })
// Every tier tests what is built now: the snippet, the dashboard and the Worker bundle.
await (await import('./build.mjs')).buildAll()

// The collector fuzz (100,000 bodies, a core for a minute or more) runs alone after the
// rest: beside the browser tests on a two-core machine it would starve their timeouts.
const SOLO = 'test/security/collector-fuzz.test.ts'
const args = process.argv.slice(2)
const phases = args.length ? [args] : [['--exclude', SOLO], [SOLO]]

let passed = 0
let failed = 0
let ok = true
for (const [i, phase] of phases.entries()) {
  const report = `.tmp/vitest-report${i ? `-${i}` : ''}.json`
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...phase], { stdio: 'inherit' })
  ok &&= run.status === 0
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'))
    passed += r.numPassedTests
    failed += r.numFailedTests + (r.numFailedTestSuites ?? 0)
  } catch {
    failed += 1
  }
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(ok && failed === 0 && passed > 0 ? 0 : 1)
