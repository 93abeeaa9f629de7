import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

/** The real `npm start` server as a child process on 127.0.0.1, port 0, over the given database file. */
export async function startServerProcess(dbPath: string, env: Record<string, string> = {}): Promise<{ url: string; writeKey: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'worker/src/node.ts')], {
    cwd: ROOT,
    env: { ...process.env, JIMER_DB: dbPath, PORT: '0', HOST: '127.0.0.1', JIMER_ADMIN_PASSWORD: 'process test password', JIMER_RATE_LIMITS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((ok, fail) => {
    child.stdout!.on('data', (d) => {
      out += d
      const url = /running at (\S+)/.exec(out)?.[1]
      const writeKey = /Write key: (\S+)/.exec(out)?.[1]
      if (url && writeKey) ok({ url, writeKey, child, output: () => out })
    })
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening:\n${out}`)))
  })
}

export function killed(child: ChildProcess): Promise<void> {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok()
    child.once('exit', () => ok())
    child.kill('SIGKILL')
  })
}
