import type { Db, Stmt } from '../db/types.js'

/** Commits a request's statements atomically; resolves only once they are durable. */
export interface Writer {
  write(stmts: Stmt[]): Promise<void>
  /** Waits for everything queued to commit (shutdown). */
  drain(): Promise<void>
}

/** One `batch()` round trip per request: the Workers path, where each isolate is short-lived. */
export function directWriter(db: Db): Writer {
  return {
    write: async (stmts) => void (await db.batch(stmts, 'write')),
    drain: async () => {},
  }
}

export interface GroupCommitOptions {
  /** Flush once this many statements wait, even before the timer. */
  maxStatements?: number
  /** The longest a request waits for company before its group is committed. */
  maxDelayMs?: number
}

/**
 * Group commit (the Node path): requests arriving together share one transaction, and
 * every request is answered after that transaction commits — throughput without giving
 * up "acknowledged means stored". If a group fails, each request is retried on its own so
 * that one bad request cannot fail its neighbours; only the failing ones are rejected.
 * One group is in flight at a time, which also makes this process the only writer.
 */
export function groupCommitWriter(run: (stmts: Stmt[]) => Promise<unknown> | unknown, opts: GroupCommitOptions = {}): Writer {
  const maxStatements = opts.maxStatements ?? 4000
  const maxDelayMs = opts.maxDelayMs ?? 2
  type Pending = { stmts: Stmt[]; resolve(): void; reject(e: unknown): void }
  let queue: Pending[] = []
  let queued = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight: Promise<void> | undefined

  const schedule = () => {
    if (inFlight || timer) return
    timer = setTimeout(flush, queued >= maxStatements ? 0 : maxDelayMs)
  }

  const flush = () => {
    timer = undefined
    if (inFlight || queue.length === 0) return
    const group = queue
    queue = []
    queued = 0
    inFlight = commit(group).finally(() => {
      inFlight = undefined
      if (queue.length) schedule()
    })
  }

  const commit = async (group: Pending[]) => {
    try {
      await run(group.length === 1 ? group[0].stmts : group.flatMap((p) => p.stmts))
      for (const p of group) p.resolve()
    } catch (groupError) {
      if (group.length === 1) return group[0].reject(groupError)
      for (const p of group) {
        try {
          await run(p.stmts)
          p.resolve()
        } catch (e) {
          p.reject(e)
        }
      }
    }
  }

  return {
    write(stmts) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ stmts, resolve, reject })
        queued += stmts.length
        if (queued >= maxStatements && timer) {
          clearTimeout(timer)
          timer = undefined
        }
        schedule()
      })
    },
    async drain() {
      while (inFlight || queue.length) {
        if (timer) { clearTimeout(timer); flush() } else if (!inFlight) flush()
        await inFlight
      }
    },
  }
}
