// The Node entry and the embedded default (`npm start`): one process, one libSQL file.
import { serve } from '@hono/node-server'
import type { Context } from 'hono'
import type { IncomingMessage } from 'node:http'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createApp } from './app.js'
import { ProjectKeyCache } from './projects.js'
import { completeBackfills } from './db/backfill.js'
import { openCachedConnection } from './db/node-db.js'
import { startWriteThread } from './db/node-write-runner.js'
import { groupWorkWriter } from './ingest/writer.js'
import { demoRoutes, snippetTag, type Snippet } from './routes/demo.js'
import { serveDashboard } from './node-static.js'
import { runScheduled } from './scheduled.js'
import { catchUp } from './segments/membership-drain.js'
import { userColumns } from './segments/columns.js'
import { bootstrap, signInLine } from './setup/bootstrap.js'
import { memoryCollectorLimits } from './rate-limit.js'
import { smtpMailer } from './node-mailer.js'
import { nodeResolver } from './node-dns.js'
import { webhookLoop } from './webhooks/loop.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** What Node serves from dist/ (snippet, dashboard), built on a first start (scripts/build-*.mjs). */
async function loadSnippet(): Promise<Snippet> {
  const dist = (f: string) => resolve(root, 'dist', f)
  const build = async (script: string, fn: string) => (await import(pathToFileURL(resolve(root, 'scripts', script)).href))[fn]()
  if (!existsSync(dist('snippet.json'))) await build('build-snippet.mjs', 'buildSnippet')
  if (!existsSync(dist('public/index.html'))) await build('build-dashboard.mjs', 'buildDashboard')
  return { script: readFileSync(dist('s.js'), 'utf8'), stub: readFileSync(dist('stub.min.js'), 'utf8'), hash: JSON.parse(readFileSync(dist('snippet.json'), 'utf8')).hash }
}

export interface NodeOptions {
  dbPath: string; host?: string; port?: number; adminEmail?: string; adminPassword?: string
  /** The collector's rate limits; `false` turns them off (load benchmarks from one address). */
  collectorLimits?: Parameters<typeof memoryCollectorLimits>[1] | false
  /** Read the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy?: boolean
  /** Send invitation emails through this SMTP server (SMTP_URL), from `smtpFrom` (SMTP_FROM). */
  smtpUrl?: string
  smtpFrom?: string
  /** JIMER_WEBHOOKS_ALLOW_PRIVATE=1: webhooks may target loopback and private addresses. */
  webhooksAllowPrivate?: boolean
}

/** Opens (and migrates) the database, starts the server, resolves once it listens. */
export async function startNode(opts: NodeOptions) {
  const snippet = await loadSnippet()
  if (opts.dbPath !== ':memory:') mkdirSync(dirname(resolve(opts.dbPath)), { recursive: true })
  const client = createClient({ url: `file:${opts.dbPath}`, timeout: 5000 })
  await client.execute('PRAGMA journal_mode = WAL')
  await migrate(drizzle(client), { migrationsFolder: resolve(root, 'migrations') })
  await completeBackfills(client, { log: (s) => console.log(s) })
  const boot = await bootstrap(client, { adminEmail: opts.adminEmail, adminPassword: opts.adminPassword, now: Date.now() })

  // Reads through cached statements on this thread; writes grouped and committed on their own thread.
  const reads = openCachedConnection(opts.dbPath)
  const runner = startWriteThread(opts.dbPath)
  const writer = groupWorkWriter(runner.run)
  const collectorLimits = opts.collectorLimits === false ? undefined : memoryCollectorLimits(Date.now, opts.collectorLimits)
  const clientIp = (c: Context) => (opts.trustProxy && c.req.header('x-forwarded-for')?.split(',')[0].trim())
    || (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress || null
  // Filters and previews loop over users' facts kept in this process (segments/columns.ts).
  const columns = userColumns(reads.db)
  const mailer = opts.smtpUrl ? smtpMailer(opts.smtpUrl, opts.smtpFrom ?? 'Jimer <jimer@localhost>') : undefined
  const membershipHeld = process.env.JIMER_TEST_HOLD_MEMBERSHIP === '1'
  // Webhooks: every address a name resolves to is checked (node:dns); the loop runs in this process.
  const target = { allowPrivate: opts.webhooksAllowPrivate ?? false, resolve: nodeResolver }
  const webhooks = webhookLoop({ db: reads.db, now: Date.now, fetch, target })
  const hashId = (id: string) => createHash('sha256').update(id).digest('hex')
  const app = createApp({ db: reads.db, writer, now: Date.now, snippet, collectorLimits, clientIp, columns, mailer, membershipHeld, hashId, projectKeys: new ProjectKeyCache(), webhooks: { target, afterWrite: () => webhooks.wake() } })
  app.route('/', demoRoutes(boot.writeKey, snippet))
  serveDashboard(app, resolve(root, 'dist/public'))

  const host = opts.host ?? '127.0.0.1'
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 8787 }, () => ok(s))
  })
  const address = server.address()
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : opts.port}`
  // Load every project's columns in the background; until then filters answer through SQL.
  for (const r of (await reads.db.execute('SELECT id FROM projects')).rows) columns.ready(String(r.id), [])
  const upkeep = setInterval(() => void runScheduled(reads.db, writer, Date.now()).catch((e) => console.error('scheduled work failed', e)), 5 * 60_000)
  upkeep.unref()
  // Membership follows the journal: kicked after each collector write, and every second
  // here, which also finishes, after a restart, whatever a crash left in the journal.
  const keepMembership = () => void catchUp(reads.db, writer, Date.now, columns).then(() => webhooks.wake(), (e) => console.error('membership upkeep failed', e))
  const membership = membershipHeld ? undefined : setInterval(keepMembership, 1000)
  membership?.unref()
  if (!membershipHeld) keepMembership()
  // Deliveries left pending by a previous run (a crash, a restart) go out now.
  webhooks.start()
  const close = async () => {
    clearInterval(upkeep)
    clearInterval(membership)
    await webhooks.stop()
    await new Promise((ok) => server.close(ok))
    await writer.drain()
    await runner.close()
    reads.close()
    client.close()
  }
  return { url, boot, app, client, snippet, close, writeStats: runner.stats }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url, boot, snippet, close } = await startNode({
    dbPath: process.env.JIMER_DB ?? resolve(root, 'data/jimer.db'),
    host: process.env.HOST,
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    adminEmail: process.env.JIMER_ADMIN_EMAIL,
    adminPassword: process.env.JIMER_ADMIN_PASSWORD,
    collectorLimits: process.env.JIMER_RATE_LIMITS === 'off' ? false : undefined,
    trustProxy: process.env.JIMER_TRUST_PROXY === '1',
    smtpUrl: process.env.SMTP_URL || undefined,
    smtpFrom: process.env.SMTP_FROM || undefined,
    webhooksAllowPrivate: process.env.JIMER_WEBHOOKS_ALLOW_PRIVATE === '1',
  })
  console.log(`Jimer is running at ${url}
Dashboard: ${url}/   (${signInLine(boot)})
Demo page: ${url}/demo
Write key: ${boot.writeKey}
Snippet for your pages' <head>:
${snippetTag(snippet, boot.writeKey, url)}`)
  if (process.env.JIMER_ADMIN_EMAIL && !process.env.JIMER_ADMIN_PASSWORD) console.log('JIMER_ADMIN_EMAIL is set without JIMER_ADMIN_PASSWORD: no admin was created or changed')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void close().then(() => process.exit(0)))
}
