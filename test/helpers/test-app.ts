import { createClient, type Client } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp, type WebhookDeps } from '../../worker/src/app.js'
import type { Snippet } from '../../worker/src/routes/demo.js'
import { directWriter, groupWorkWriter } from '../../worker/src/ingest/writer.js'
import { applyWork } from '../../worker/src/ingest/apply.js'
import { openCachedConnection } from '../../worker/src/db/node-db.js'
import { createHash } from 'node:crypto'
import { bootstrap } from '../../worker/src/setup/bootstrap.js'
import { ProjectKeyCache } from '../../worker/src/projects.js'
import { userColumns } from '../../worker/src/segments/columns.js'
import { memoryCollectorLimits } from '../../worker/src/rate-limit.js'
import type { Context } from 'hono'

export const MIGRATIONS = resolve(import.meta.dirname, '../../migrations')

/** A migrated database in a fresh temp folder. */
export async function tempDb(): Promise<{ client: Client; path: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-test-'))
  const path = join(dir, 'jimer.db')
  const client = createClient({ url: `file:${path}`, timeout: 5000 })
  await client.execute('PRAGMA journal_mode = WAL')
  await migrate(drizzle(client), { migrationsFolder: MIGRATIONS })
  return { client, path, dispose: () => { client.close(); rmSync(dir, { recursive: true, force: true }) } }
}

/**
 * The whole app over a real libSQL file, with the clock under the test's control.
 * `writer: 'group'` uses the Node group-commit writer and applier (as the write thread runs
 * them, here on this thread over a second connection), `'direct'` the Workers one.
 */
export async function testApp(opts: { writer?: 'group' | 'direct'; limits?: Parameters<typeof memoryCollectorLimits>[1]; snippet?: Snippet; webhooks?: WebhookDeps } = {}) {
  const db = await tempDb()
  let now = Date.parse('2026-11-01T12:00:00Z')
  const boot = await bootstrap(db.client, { adminPassword: 'correct horse battery', now })
  const writes = opts.writer === 'direct' ? undefined : openCachedConnection(db.path)
  const writer = writes ? groupWorkWriter((items) => writes.writeTransaction((sql) => applyWork(sql, items))) : directWriter(db.client)
  // Node hashes ids with node:crypto (node.ts); Workers with WebCrypto.
  // Node remembers the collector's key lookups (node.ts); Workers look each one up.
  const projectKeys = writes ? new ProjectKeyCache() : undefined
  const hashId = writes ? (id: string) => createHash('sha256').update(id).digest('hex') : undefined
  // With `limits`, the collector rate-limits on the test clock; the client address is the x-test-ip header.
  const limits = opts.limits ? { collectorLimits: memoryCollectorLimits(() => now, opts.limits), clientIp: (c: Context) => c.req.header('x-test-ip') ?? null } : {}
  // The Node path keeps users' facts as columns in memory (the Node entry does); the Workers one does not.
  const columns = opts.writer === 'direct' ? undefined : userColumns(db.client)
  // Work after the response (membership upkeep) is awaited before the database closes.
  const background = new Set<Promise<unknown>>()
  const settled = async () => { while (background.size) await Promise.allSettled([...background]) }
  const keepAlive = (_c: unknown, work: Promise<unknown>) => {
    background.add(work)
    void work.finally(() => background.delete(work))
  }
  const app = createApp({ db: db.client, writer, now: () => now, snippet: opts.snippet, columns, keepAlive, webhooks: opts.webhooks, hashId, projectKeys, ...limits })
  const secret = (await db.client.execute({ sql: 'SELECT secret_key FROM projects WHERE id = ?', args: [boot.projectId] })).rows[0].secret_key as string
  return {
    app, db: db.client, writer, boot, secretKey: secret as string, columns,
    clock: { get: () => now, set: (t: number) => void (now = t), advance: (ms: number) => void (now += ms) },
    /** Everything started after a response has finished (membership follows the collector's writes). */
    settled,
    dispose: async () => {
      await settled()
      await writer.drain()
      writes?.close()
      db.dispose()
    },
  }
}
