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
