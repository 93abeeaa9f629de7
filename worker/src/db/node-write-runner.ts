// Node-only: the main thread's side of node-write-thread.ts.
import { Worker } from 'node:worker_threads'
import type { WorkItem } from '../ingest/apply.js'

export interface WriteStats { transactions: number; messages: number; ms: number }

/** Runs write transactions on a dedicated thread; resolves after each commit. */
export function startWriteThread(path: string) {
  // NOTE: module hooks (tsx) are per thread in Node 20, and `--import` in a worker's
  // execArgv is not applied before its entry loads: when running from source, the thread
  // registers tsx itself and then imports its TypeScript entry.
  const fromSource = import.meta.url.endsWith('.ts')
  const entry = new URL(fromSource ? './node-write-thread.ts' : './node-write-thread.js', import.meta.url).href
  const worker = fromSource
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(entry)}) })`, { eval: true, workerData: { path } })
    : new Worker(new URL(entry), { workerData: { path } })
  const waiting = new Map<number, { ok(stats?: WriteStats): void; fail(e: Error): void }>()
  let next = 0
  worker.on('message', ({ id, error, stats }: { id: number; error?: { message: string; code?: string }; stats?: WriteStats }) => {
    const w = waiting.get(id)
    waiting.delete(id)
    if (!error) return w?.ok(stats)
    w?.fail(Object.assign(new Error(error.message), { code: error.code }))
  })
  worker.on('error', (e) => {
    for (const w of waiting.values()) w.fail(e)
    waiting.clear()
  })
  const send = (items?: WorkItem[]) => new Promise<WriteStats | undefined>((ok, fail) => {
    const id = ++next
    waiting.set(id, { ok, fail })
    worker.postMessage({ id, items })
  })
  return {
    run: async (items: WorkItem[]) => void (await send(items)),
    /** Totals of the thread's write transactions so far (the bench's SQLite time per event). */
    stats: async () => (await send())!,
    close: () => worker.terminate(),
  }
}
