// `npm run seed -- --users N [--db path]`: realistic demo data for the dashboard and the benchmarks.
// Deterministic (same N, same data). Writes straight to the embedded file in large transactions.
// The benchmarks call seed() as it always was; `npm run seed` adds `demo` (seed-demo.ts): activity
// over the last 90 days, Jimer IDs that look like real ones, experiences, survey answers, segments.
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import Database from 'libsql'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { bootstrap, signInLine } from '../worker/src/setup/bootstrap.js'
import { demoActivity, demoSegments, jimerId } from './seed-demo.js'
import { directWriter } from '../worker/src/ingest/writer.js'
import { markStale, recomputeStale } from '../worker/src/segments/membership.js'

const root = resolve(import.meta.dirname, '..')
const DAY = 86_400_000

/** mulberry32: a small seeded PRNG, so a seed is reproducible. */
export function rng(seed: number) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FIRST = ['Ann', 'Bob', 'Chen', 'Dana', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kofi', 'Lea', 'Mia', 'Noor', 'Olu', 'Pia', 'Quinn', 'Ravi', 'Sara', 'Tom']
const LAST = ['Martin', 'Smith', 'Garcia', 'Dubois', 'Kim', 'Nguyen', 'Rossi', 'Novak', 'Silva', 'Okafor', 'Berg', 'Cohen']
const PLANS = ['free', 'free', 'free', 'trial', 'starter', 'pro', 'pro', 'enterprise']
const ROLES = ['admin', 'editor', 'viewer', 'owner']
const COUNTRIES = ['FR', 'US', 'DE', 'GB', 'ES', 'IN', 'BR', 'JP', 'NG', 'CA']
const EVENTS = ['$page', 'login', 'feature_used', 'order_placed', 'invite_sent', 'export_clicked']
const TAGS: [string, string][] = [['VIP', '#e11d48'], ['Beta tester', '#7c3aed'], ['Churn risk', '#f59e0b'], ['Champion', '#16a34a'], ['Needs onboarding', '#0284c7']]
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'

export async function seed(opts: { dbPath: string; users: number; now?: number; eventsPerUser?: number; log?: (s: string) => void; adminEmail?: string; adminPassword?: string; demo?: boolean }) {
  const now = opts.now ?? Date.now()
  const perUser = opts.eventsPerUser ?? 10
  mkdirSync(dirname(resolve(opts.dbPath)), { recursive: true })
  const client = createClient({ url: `file:${opts.dbPath}` })
  await client.execute('PRAGMA journal_mode = WAL')
  await migrate(drizzle(client), { migrationsFolder: resolve(root, 'migrations') })
  // The same admin variables as npm start: seeding first and starting after signs in with them.
  const boot = await bootstrap(client, { now, adminEmail: opts.adminEmail, adminPassword: opts.adminPassword })
  client.close()

  const db = new Database(opts.dbPath)
  db.exec('PRAGMA synchronous = OFF')
  const p = boot.projectId
  const start = (db.prepare('SELECT coalesce(max(id), 0) AS m FROM users').get() as { m: number }).m
  for (const [name, color] of TAGS) db.prepare('INSERT OR IGNORE INTO tags (project_id, name, color, created_at) VALUES (?, ?, ?, ?)').run(p, name, color, now)
  const tagIds = (db.prepare('SELECT id FROM tags WHERE project_id = ?').all(p) as { id: number }[]).map((t) => t.id)

  const insUser = db.prepare(`INSERT INTO users (id, project_id, user_id, anonymous_id, email, name, status, created_at, first_seen, last_seen, sessions, events_count, experiences_seen, attributes, attribute_meta, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, 0, ?, ?, ?)`)
  const insDevice = db.prepare(`INSERT INTO devices (project_id, anonymous_id, user_pk, browser, os, device_type, user_agent, first_seen, last_seen) VALUES (?, ?, ?, 'Chrome', 'Mac OS', 'desktop', ?, ?, ?)`)
  const insEvent = db.prepare(`INSERT INTO events (project_id, user_pk, anonymous_id, type, name, properties, context, timestamp, received_at, message_id) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?)`)
  const insTag = db.prepare('INSERT OR IGNORE INTO user_tags (project_id, user_pk, tag_id, created_at) VALUES (?, ?, ?, ?)')

  // Bulk load: indexes are dropped and rebuilt after, far faster than maintaining them row by row.
  const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'users', 'devices', 'user_attributes', 'user_attribute_items')`).all() as { name: string; sql: string }[]
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`)

  const rand = rng(start + 42)
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]
  const chunk = 10_000
  for (let from = 0; from < opts.users; from += chunk) {
    db.exec('BEGIN')
    for (let k = from; k < Math.min(opts.users, from + chunk); k++) {
      const id = start + k + 1
      const identified = rand() < 0.8
      // Demo: last activity within 90 days, most of it recent (so "Last activity" and time-relative segments mean something).
      const last = opts.demo ? now - Math.floor(rand() ** 2 * 90 * DAY) : 0
      const first = opts.demo ? last - Math.floor(rand() * 120 * DAY) : now - Math.floor(rand() * 365 * DAY)
      const lastSeen = opts.demo ? last : Math.min(now, first + Math.floor(rand() * 200 * DAY))
      const fn = pick(FIRST), ln = pick(LAST)
      const anon = opts.demo ? jimerId(rand) : `seed${id.toString(36)}x${Math.floor(rand() * 1e9).toString(36)}`
      const plan = pick(PLANS)
      const attrs = {
        plan, seats: 1 + Math.floor(rand() * (plan === 'enterprise' ? 500 : 20)), role: pick(ROLES), country: pick(COUNTRIES),
        beta: rand() < 0.2, signup_date: new Date(first).toISOString().slice(0, 10), mrr: plan === 'free' ? 0 : Math.round(rand() * 50000) / 100,
        features: ['reports', 'exports', 'api', 'sso'].filter(() => rand() < 0.3),
      }
      const meta = Object.fromEntries(Object.keys(attrs).map((key) => [key, { s: 'SDK', t: first }]))
      insUser.run(id, p, identified ? `usr_${id}` : null, anon, identified ? `${fn}.${ln}.${id}@example.com`.toLowerCase() : null, identified ? `${fn} ${ln}` : null,
        first, first, lastSeen, 1 + Math.floor(rand() * 40), perUser, JSON.stringify(attrs), JSON.stringify(meta), lastSeen)
      insDevice.run(p, anon, id, UA, first, lastSeen)
      for (let e = 0; e < perUser; e++) {
        const name = pick(EVENTS)
        // The last event is the last activity; the others fall between first and last seen.
        const ts = opts.demo && e === perUser - 1 ? lastSeen : first + Math.floor(rand() * Math.max(1, lastSeen - first))
        const props = name === 'order_placed' ? { total: Math.round(rand() * 60000) / 100, currency: pick(['EUR', 'USD']) } : name === '$page' ? { url: `/p/${Math.floor(rand() * 50)}` } : { feature: pick(['reports', 'exports', 'api']) }
        insEvent.run(p, id, anon, name === '$page' ? 'page' : 'track', name, JSON.stringify(props), ts, ts, `seed-${id}-${e}`)
      }
      if (rand() < 0.15) insTag.run(p, id, pick(tagIds), now)
      if (opts.demo) demoActivity(db, { projectId: p, userPk: id, anonymousId: anon, first, last: lastSeen, now, rand })
    }
    db.exec('COMMIT')
    opts.log?.(`seeded ${Math.min(opts.users, from + chunk)} / ${opts.users} users`)
  }
  opts.log?.('rebuilding indexes…')
  for (const ix of indexes) db.exec(ix.sql)
  db.exec('ANALYZE')
  db.exec('PRAGMA synchronous = FULL')
  // Membership: the seeded users are in the journal; rather than drain a million entries,
  // the journal is marked read and every dynamic segment recomputed whole.
  db.exec('UPDATE membership_cursor SET seq = (SELECT coalesce(max(seq), 0) FROM user_changes) WHERE id = 1')
  db.close()
  const client2 = createClient({ url: `file:${opts.dbPath}` })
  const writer = directWriter(client2)
  const dynamic = (await client2.execute({ sql: `SELECT id FROM segments WHERE project_id = ? AND kind = 'dynamic'`, args: [p] })).rows.map((r) => Number(r.id))
  if (dynamic.length) {
    await writer.write(markStale(p, dynamic, 'import', now))
    await recomputeStale(client2, writer, now, p)
  }
  if (opts.demo) {
    const made = await demoSegments(client2, p, now)
    opts.log?.(`\n${made} segments computed`)
  }
  client2.close()
  return boot
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '1000' }, db: { type: 'string' } } })
  const dbPath = values.db ?? process.env.JIMER_DB ?? resolve(root, 'data/jimer.db')
  const t0 = performance.now()
  const boot = await seed({ dbPath, users: Number(values.users), demo: true, log: (s) => process.stdout.write(`\r${s}`), adminEmail: process.env.JIMER_ADMIN_EMAIL, adminPassword: process.env.JIMER_ADMIN_PASSWORD })
  console.log(`\nseeded ${values.users} users (~10 events each) into ${dbPath} in ${((performance.now() - t0) / 1000).toFixed(1)} s — project ${boot.projectId}`)
  console.log(`Dashboard: ${signInLine(boot)}`)
}
