/**
 * Where the Jimer server spends its time: `npx tsx bench/profile.ts [track|batch] [seconds]`
 * runs the collector load of `npm run bench` against a Jimer server started with
 * `--cpu-prof`, then prints the heaviest functions (self and inclusive time). The raw
 * profile stays in .tmp/prof/ (open it in Chrome DevTools › Performance).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { batchBody, SETTINGS, trackBody } from './collector.js'
import { load } from './lib/load.js'
import { spawnServer } from './lib/server.js'

const kind = process.argv[2] === 'batch' ? 'batch' : 'track'
const duration = Number(process.argv[3] ?? 8)
const profDir = resolve(dirname(fileURLToPath(import.meta.url)), '../.tmp/prof')
rmSync(profDir, { recursive: true, force: true })
mkdirSync(profDir, { recursive: true })
const dir = mkdtempSync(join(tmpdir(), 'jimer-prof-'))

const jimer = await spawnServer<{ url: string; writeKey: string }>('jimer-server.ts', { JIMER_BENCH_DB: join(dir, 'bench.db') }, ['--cpu-prof', `--cpu-prof-dir=${profDir}`])
const body = kind === 'track' ? trackBody(jimer.info.writeKey, 'pt') : batchBody(jimer.info.writeKey, 'pb')
const run = await load(jimer.info.url, `/v1/${kind}`, { ...SETTINGS, warmup: 0, duration }, body, { cpuMs: jimer.cpuMs })
await jimer.stop()
rmSync(dir, { recursive: true, force: true })
const r = run.result
console.log(`${kind}: ${Math.round(r['2xx'] / r.duration)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${Math.round((run.serverCpuMs! * 1000) / r['2xx'])} µs/request`)

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
// The main thread's profile is the biggest one (tsx's loader thread writes another).
const file = readdirSync(profDir).map((f) => join(profDir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]
const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const name = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/work\/[^/]+\//, '')}:${n.callFrame.lineNumber + 1}`
const selfTime = new Map<string, number>(), inclusive = new Map<string, number>()
let total = 0
p.samples.forEach((id, i) => {
  const t = p.timeDeltas[i] ?? 0
  total += t
  selfTime.set(name(byId.get(id)!), (selfTime.get(name(byId.get(id)!)) ?? 0) + t)
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur)!)
    if (!seen.has(k)) { seen.add(k); inclusive.set(k, (inclusive.get(k) ?? 0) + t) }
  }
})
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
  .map(([k, t]) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`).join('\n')
console.log(`\nself time (profile ${Math.round(total / 1000)} ms, ${file}):\n${top(selfTime, 25)}`)
console.log(`\ninclusive time:\n${top(inclusive, 40)}`)
