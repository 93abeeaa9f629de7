import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface Spawned<T> {
  info: T
  child: ChildProcess
  /** Asks the server to shut down (SIGTERM, so it can drain), kills it if it does not exit in time. */
  stop(timeoutMs?: number): Promise<number | null>
  /** The server's CPU time so far (user + system), in ms. */
  cpuMs(): Promise<number>
  /** The Jimer server's write-thread totals: ms inside write transactions and messages stored. */
  writeStats(): Promise<{ ms: number; messages: number }>
}

/**
 * Runs a server script (bench/servers/*.ts) in its own Node process through tsx, so the
 * load generator in this process never shares its event loop. The script prints one JSON
 * line on stdout once it listens; that line is the result.
 */
export async function spawnServer<T>(script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Spawned<T>> {
  const path = fileURLToPath(new URL(`../servers/${script}`, import.meta.url))
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)))
  const info = await new Promise<T>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => fail(new Error(`${script} did not start within 30 s`)), 30_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      try { ok(JSON.parse(line) as T) } catch { fail(new Error(`${script} printed ${line}`)) }
    })
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`${script} exited (${code}) before it listened`)) })
  })
  const stop = async (timeoutMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  const cpuMs = () => new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not report its CPU time`)), 10_000)
    child.once('message', (m: { cpu: NodeJS.CpuUsage }) => { clearTimeout(timer); ok((m.cpu.user + m.cpu.system) / 1000) })
    child.send('cpu')
  })
  const writeStats = () => new Promise<{ ms: number; messages: number }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not report its write statistics`)), 10_000)
    const on = (m: { writes?: { ms: number; messages: number } }) => {
      if (!m.writes) return
      clearTimeout(timer)
      child.off('message', on)
      ok(m.writes)
    }
    child.on('message', on)
    child.send('writes')
  })
  return { info, child, stop, cpuMs, writeStats }
}
