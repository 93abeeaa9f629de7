/**
 * `npm run bench`: runs every benchmark in order on this machine and prints ONE table of
 * figures, each beside its baseline measured in the same run (also written to
 * .tmp/bench-results.md). Exits non-zero when a correctness check fails (e.g. an
 * acknowledged event is not stored); missed performance targets are reported, not fatal.
 *
 * Knobs (environment): BENCH_CONNECTIONS (64), BENCH_DURATION (8 s), BENCH_WARMUP (2 s),
 * BENCH_NO_WAIT=1 (do not wait up to 10 s for a quiet machine before each load),
 * BENCH_PROFILE=dir (CPU-profile the Jimer server into dir). `bench/profile.ts` prints
 * where the Jimer server's time goes.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { collectorBench } from './collector.js'
import { exportsBench } from './exports.js'
import { importsBench } from './imports.js'
import { ingestSqlBench } from './ingest-sql.js'
import { loadMixedBench } from './load-mixed.js'
import { membershipBench } from './membership.js'
import { segmentToolsBench } from './segment-tools.js'
import { segmentsBench } from './segments.js'
import { snippetBench } from './snippet.js'
import { usersListBench } from './users-list.js'
import { workerdBench } from './workerd.js'
import { Table } from './table.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const cpu = cpus()
const started = Date.now()
const table = new Table([
  `# Jimer benchmarks — ${new Date().toISOString()}`,
  `machine: ${cpu[0]?.model.trim() ?? 'unknown cpu'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}, load average at start ${loadavg()[0].toFixed(2)}`,
])

const only = process.env.BENCH_ONLY?.split(',')
const all: [string, (t: Table) => Promise<{ ok: boolean }>][] = [
  ['snippet', snippetBench],
  ['collector', collectorBench],
  ['workerd', workerdBench],
  ['ingest-sql', ingestSqlBench],
  ['segments', segmentsBench],
  ['segment-tools', segmentToolsBench],
  ['users', usersListBench],
  ['membership', membershipBench],
  ['exports', exportsBench],
  ['imports', importsBench],
  ['load', loadMixedBench],
]

const benchmarks = all.filter(([name]) => !only || only.includes(name))

let ok = true
for (const [name, bench] of benchmarks) {
  process.stderr.write(`bench: ${name}…\n`)
  try {
    ok = (await bench(table)).ok && ok
  } catch (e) {
    ok = false
    table.note(`FAIL: ${name} crashed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`)
  }
}
table.note(`total bench time ${((Date.now() - started) / 1000).toFixed(0)} s; targets met: ${table.allMet ? 'all' : 'not all'}`)

const text = table.render()
console.log(text)
mkdirSync(resolve(root, '.tmp'), { recursive: true })
writeFileSync(resolve(root, '.tmp/bench-results.md'), text + '\n')
process.exit(ok ? 0 : 1)
