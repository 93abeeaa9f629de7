import autocannon, { type Request, type Result } from 'autocannon'
import { machineBusyMs, waitForQuiet } from './machine.js'

/** Load settings shared by both sides of a ratio. */
export interface LoadSettings {
  connections: number
  /** Seconds measured. */
  duration: number
  /** Seconds of load before the measured run (its answers count only for the stored check). */
  warmup: number
}

export interface LoadRun {
  /** The measured run. */
  result: Result
  /** Server CPU time (ms) spent during the measured run, when a probe was given. */
  serverCpuMs?: number
  /** CPU time (ms) this process (the load generator) spent during the measured run. */
  clientCpuMs: number
  /** CPU time (ms) every other process on the machine took during the measured run (Linux only). */
  othersCpuMs?: number
  /** Jimer's write thread during the measured run: ms inside write transactions, messages stored. */
  writes?: { ms: number; messages: number }
  /** 2xx answers over warm-up and measured run. */
  acknowledged: number
  /** Non-2xx answers, errors and timeouts over warm-up and measured run. */
  failed: { non2xx: number; errors: number; timeouts: number; statusCodes: Record<string, number> }
}

export interface LoadHooks {
  /** Sees every answer (warm-up included); giving it makes autocannon keep the bodies. */
  onResponse?: (status: number, body: string) => void
  /** Reads the server's CPU time in ms (see Spawned.cpuMs). */
  cpuMs?: () => Promise<number>
  /** Reads the Jimer server's write-thread totals (see Spawned.writeStats). */
  writeStats?: () => Promise<{ ms: number; messages: number }>
}

/**
 * Runs a warm-up then a measured autocannon run against `url + path`, with a body built
 * per request by `body()` (the builder keeps its own counters, so ids stay unique across runs).
 */
export async function load(url: string, path: string, settings: LoadSettings, body: () => string, hooks: LoadHooks = {}): Promise<LoadRun> {
  const { onResponse, cpuMs, writeStats } = hooks
  const requests: Request[] = [{
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    // autocannon hands setupRequest a fresh copy of the request: filling it in place is safe.
    setupRequest: (req) => { req.body = body(); return req },
    ...(onResponse ? { onResponse: (status: number, text: string) => onResponse(status, text) } : {}),
  }]
  const run = (duration: number) => autocannon({ url, connections: settings.connections, duration, timeout: 10, requests })
  if (!process.env.BENCH_NO_WAIT) await waitForQuiet()
  const runs = settings.warmup > 0 ? [await run(settings.warmup)] : []
  const cpuBefore = await cpuMs?.()
  const writesBefore = await writeStats?.()
  const client = process.cpuUsage()
  const machine = machineBusyMs()
  const result = await run(settings.duration)
  const machineUsed = machine === undefined ? undefined : machineBusyMs()! - machine
  const clientUsed = process.cpuUsage(client)
  const cpuAfter = await cpuMs?.()
  const writesAfter = await writeStats?.()
  runs.push(result)
  const statusCodes: Record<string, number> = {}
  for (const r of runs) for (const [code, s] of Object.entries(r.statusCodeStats)) if (!code.startsWith('2')) statusCodes[code] = (statusCodes[code] ?? 0) + s.count
  const sum = (k: 'non2xx' | 'errors' | 'timeouts' | '2xx') => runs.reduce((t, r) => t + r[k], 0)
  const clientCpuMs = (clientUsed.user + clientUsed.system) / 1000
  const serverCpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined
  return {
    result,
    serverCpuMs,
    writes: writesBefore && writesAfter ? { ms: writesAfter.ms - writesBefore.ms, messages: writesAfter.messages - writesBefore.messages } : undefined,
    clientCpuMs,
    othersCpuMs: machineUsed !== undefined && serverCpuMs !== undefined ? Math.max(0, machineUsed - serverCpuMs - clientCpuMs) : undefined,
    acknowledged: sum('2xx'),
    failed: { non2xx: sum('non2xx'), errors: sum('errors'), timeouts: sum('timeouts'), statusCodes },
  }
}
