import { createClient, type Client } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { completeBackfills } from '../../worker/src/db/backfill.js'
import { countDrift, storageDrift } from '../helpers/attribute-storage.js'
import { MIGRATIONS } from '../helpers/test-app.js'

/** The migrations folder as it was before typed storage (0000–0004), to build yesterday's database. */
function migrationsBefore(dir: string, tag: string): string {
  const out = join(dir, 'migrations-old')
  cpSync(MIGRATIONS, out, { recursive: true })
  const journalPath = join(out, 'meta/_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((e: { tag: string }) => e.tag === tag))
  writeFileSync(journalPath, JSON.stringify(journal))
  return out
}

describe('migration 0005 on a database built with the earlier migrations and data', () => {
  let dir: string
  let db: Client
  const documents = [
    { plan: 'pro', seats: 12, mrr: 10.25, beta: true, off: false, none: null, features: ['sso', 'API', 'sso', 7, null], nested: { a: [1, 2] }, big: '__BIG__', neg: -0.5, when: '2026-01-02T03:04:05Z' },
    {},
    { 'we"ird\\key': 'v', '': 'empty key', 'ünï': 'Çà', '5': 5, emptyList: [] },
    ...Array.from({ length: 20 }, (_, i) => ({ i, label: `user ${i}`, tags: [`t${i % 3}`] })),
  ]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jimer-migration-'))
    db = createClient({ url: `file:${join(dir, 'jimer.db')}` })
    await migrate(drizzle(db), { migrationsFolder: migrationsBefore(dir, '0005_typed_attributes_search') })
    await db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('p1', 'P', 'wk', 'sk', 0)`)
    for (const [i, doc] of documents.entries()) {
      // Text as SQLite's json functions write it, as every write path does.
      await db.execute({
        sql: `INSERT INTO users (project_id, user_id, email, name, status, created_at, first_seen, last_seen, attributes, updated_at)
              VALUES ('p1', ?, ?, ?, ?, 0, 0, ?, json(?), 0)`,
        args: [`u${i}`, `u${i}@example.com`, i % 2 ? 'Ann Smith' : 'Élodie Durand', i % 5 ? 'active' : 'disabled', i, JSON.stringify(doc).replace('"__BIG__"', '9007199254740993')],
      })
    }
    await migrate(drizzle(db), { migrationsFolder: MIGRATIONS })
  })
  afterAll(() => { db.close(); rmSync(dir, { recursive: true, force: true }) })

  it('counts and search are built by the migration itself', async () => {
    expect(await countDrift(db)).toEqual([])
    const n = (await db.execute(`SELECT count(*) AS n FROM users_search WHERE users_search MATCH '"élodie"'`)).rows[0].n
    expect(n).toBe(Math.ceil(documents.length / 2))
  })

  it('the backfill copies the JSON in bounded batches, resumes, and keeps writes made in between', async () => {
    expect(await storageDrift(db)).not.toEqual([])
    // Two batches of 4 users, then a write to users not yet copied and one already copied.
    expect(await completeBackfills(db, { batch: 4, maxBatches: 2 })).toBe(8)
    await db.execute(`UPDATE users SET attributes = json_set(attributes, '$.plan', 'changed') WHERE id IN (2, 15)`)
    await db.execute(`DELETE FROM users WHERE id = 16`)
    const copied = await completeBackfills(db, { batch: 4 })
    expect(copied).toBe(documents.length - 8)
    expect(await storageDrift(db)).toEqual([])
    expect(await countDrift(db)).toEqual([])
    expect(await completeBackfills(db)).toBe(0)
  })

  it('stores each value as the JSON holds it: text stays text, integers past 2^53 exact, booleans as their type', async () => {
    const rows = (await db.execute(`SELECT key, type, quote(value) AS v FROM user_attributes WHERE user_pk = 1 ORDER BY key`)).rows.map((r) => [r.key, r.type, r.v])
    expect(rows).toEqual([
      ['beta', 'true', '1'], ['big', 'integer', '9007199254740993'], ['features', 'array', `'["sso","API","sso",7,null]'`], ['mrr', 'real', '10.25'],
      ['neg', 'real', '-0.5'], ['nested', 'object', `'{"a":[1,2]}'`], ['none', 'null', 'NULL'], ['off', 'false', '0'], ['plan', 'text', `'pro'`],
      ['seats', 'integer', '12'], ['when', 'text', `'2026-01-02T03:04:05Z'`],
    ])
    expect((await db.execute(`SELECT item FROM user_attribute_items WHERE user_pk = 1 ORDER BY item`)).rows.map((r) => r.item)).toEqual(['API', 'sso'])
  })
})

describe('migrations 0012–0013 (set writes, clustered members) on a database with memberships and a ledger', () => {
  let dir: string
  let db: Client
  const rows = async (sql: string) => (await db.execute(sql)).rows.map((r) => ({ ...r }))
  const state = async () => ({
    members: await rows('SELECT project_id, segment_id, user_pk, entered_at, computed_at FROM segment_members ORDER BY segment_id, user_pk'),
    counts: await rows('SELECT id, member_count FROM segments ORDER BY id'),
    ledger: await rows('SELECT id, project_id, segment_id, user_pk, entered, at, cause FROM segment_ledger ORDER BY id'),
  })
  let before: Awaited<ReturnType<typeof state>>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jimer-migration-'))
    db = createClient({ url: `file:${join(dir, 'jimer.db')}` })
    await migrate(drizzle(db), { migrationsFolder: migrationsBefore(dir, '0012_membership_set_writes') })
    await db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('p1', 'P', 'wk', 'sk', 0)`)
    for (let i = 0; i < 30; i++) {
      await db.execute({ sql: `INSERT INTO users (project_id, user_id, status, created_at, first_seen, last_seen, attributes, updated_at) VALUES ('p1', ?, 'active', 0, 0, 0, '{}', 0)`, args: [`u${i}`] })
    }
    for (const [id, kind] of [[1, 'dynamic'], [2, 'static'], [3, 'dynamic']] as const) {
      await db.execute({ sql: `INSERT INTO segments (id, project_id, name, kind, key, created_at, updated_at) VALUES (?, 'p1', ?, ?, ?, 0, 0)`, args: [id, `s${id}`, kind, `s${id}`] })
    }
    // Memberships written as the engine did: the triggers keep counts and write the ledger.
    await db.execute(`UPDATE write_cause SET cause = 'edit', at = 5 WHERE id = 1`)
    for (let u = 1; u <= 30; u++) for (const s of [1, 2, 3]) if ((u + s) % s === 0 || u % 4 === s) {
      await db.execute({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES ('p1', ?, ?, ?, ?)`, args: [s, u, u * 10, u * 10 + s] })
    }
    await db.execute(`DELETE FROM segment_members WHERE segment_id = 1 AND user_pk % 5 = 0`)
    before = await state()
    await migrate(drizzle(db), { migrationsFolder: MIGRATIONS })
  })
  afterAll(() => { db.close(); rmSync(dir, { recursive: true, force: true }) })

  it('keeps every membership, count and ledger row, in a clustered table with no index by user', async () => {
    expect(before.members.length).toBeGreaterThan(20)
    expect(before.ledger.some((l) => l.entered === 0)).toBe(true)
    expect(await state()).toEqual(before)
    const schema = await rows(`SELECT name, sql FROM sqlite_master WHERE tbl_name IN ('segment_members', 'segment_ledger') ORDER BY name`)
    expect(schema.find((s) => s.name === 'segment_members')!.sql).toMatch(/WITHOUT ROWID/)
    expect(schema.map((s) => s.name)).toEqual(expect.arrayContaining(['segment_members_insert', 'segment_members_delete', 'segment_ledger_member', 'segment_ledger_segment']))
    expect(schema.map((s) => s.name)).not.toEqual(expect.arrayContaining(['segment_members_user']))
    expect(schema.map((s) => s.name)).not.toContain('segment_ledger_user')
  })

  it('the triggers still keep the count and ledger, and hold off while bulk is set', async () => {
    const count = async (s: number) => Number((await db.execute({ sql: 'SELECT member_count AS n FROM segments WHERE id = ?', args: [s] })).rows[0].n)
    const ledger = async () => Number((await db.execute('SELECT count(*) AS n FROM segment_ledger')).rows[0].n)
    const [c, l] = [await count(3), await ledger()]
    await db.execute(`INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES ('p1', 3, 29, 1, 1)`)
    expect([await count(3), await ledger()]).toEqual([c + 1, l + 1])
    await db.execute(`UPDATE write_cause SET bulk = 1 WHERE id = 1`)
    await db.execute(`DELETE FROM segment_members WHERE segment_id = 3 AND user_pk = 29`)
    expect([await count(3), await ledger()]).toEqual([c + 1, l + 1])
  })
})
