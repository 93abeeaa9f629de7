// Issue 14, item 3: a first run that cannot lock you out. The README's demo path run as
// written (seed, then start with the admin variables, then sign in), and the offline reset,
// with the real scripts as child processes over one database file.
import { createClient } from '@libsql/client'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killed, startServerProcess } from '../helpers/node-process.js'

const ROOT = resolve(import.meta.dirname, '../..')

/** `npm run <script> -- args` as a reader of the README types it; resolves with its output and exit code. */
function npmRun(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.once('exit', (code) => ok({ code, out }))
  })
}

async function signIn(url: string, email: string, password: string): Promise<number> {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ email, password }) })
  await r.body?.cancel()
  return r.status
}

/** Item 6: what the seed made looks alive — recent activity, experiences, answers, computed segments, distinct Jimer IDs. */
async function expectLivingDemo(path: string) {
  const client = createClient({ url: `file:${path}` })
  try {
    const one = async (sql: string) => (await client.execute(sql)).rows[0]
    const now = Date.now()
    const users = await one(`SELECT count(*) AS n, min(last_seen) AS oldest, max(last_seen) AS newest, count(DISTINCT substr(anonymous_id, 1, 4)) AS shown FROM users`)
    expect(Number(users.n)).toBe(300)
    expect(Number(users.oldest)).toBeGreaterThan(now - 91 * 86_400_000)
    expect(Number(users.newest)).toBeGreaterThan(now - 86_400_000)
    // "Anonymous · Jimer xxxx" tells visitors apart.
    expect(Number(users.shown)).toBeGreaterThan(290)
    const activity = await one(`SELECT (SELECT count(DISTINCT user_pk) FROM interactions) AS seen, (SELECT count(*) FROM responses) AS answers,
      (SELECT count(*) FROM users u WHERE events_count <> (SELECT count(*) FROM events e WHERE e.user_pk = u.id)) AS miscounted`)
    expect(Number(activity.seen)).toBeGreaterThan(100)
    expect(Number(activity.answers)).toBeGreaterThan(10)
    expect(Number(activity.miscounted)).toBe(0)
    const segments = (await client.execute('SELECT key, member_count FROM segments ORDER BY key')).rows
    expect(segments.map((r) => r.key)).toEqual(['active-7d', 'big-spenders', 'paying', 'tour-done'])
    for (const r of segments) expect(Number(r.member_count), String(r.key)).toBeGreaterThan(0)
    expect(Number((await one('SELECT count(*) AS n FROM user_tags')).n)).toBeGreaterThan(10)
  } finally {
    client.close()
  }
}

describe('the first run (real processes)', { timeout: 120_000 }, () => {
  let dir: string
  let db: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jimer-first-run-'))
    db = join(dir, 'jimer.db')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('follows the README: seed prints the login it created, and start with the admin variables signs that admin in', async () => {
    const seeded = await npmRun('seed', ['--users', '300'], { JIMER_DB: db })
    expect(seeded.code, seeded.out).toBe(0)
    const generated = /sign in as admin@localhost with password (\S+) — shown once/.exec(seeded.out)
    expect(generated, seeded.out).not.toBeNull()
    await expectLivingDemo(db)

    const server = await startServerProcess(db, { JIMER_ADMIN_EMAIL: 'Ann@Example.com', JIMER_ADMIN_PASSWORD: 'readme demo password' })
    try {
      expect(server.output()).toContain('sign in as ann@example.com with JIMER_ADMIN_PASSWORD (admin created from JIMER_ADMIN_EMAIL / JIMER_ADMIN_PASSWORD)')
      expect(await signIn(server.url, 'ann@example.com', 'readme demo password')).toBe(200)
      // The seeded admin keeps the password seeding printed.
      expect(await signIn(server.url, 'admin@localhost', generated![1])).toBe(200)
    } finally {
      await killed(server.child)
    }
  })

  it('resets the named admin\'s password when the variables change, and says so', async () => {
    const server = await startServerProcess(db, { JIMER_ADMIN_EMAIL: 'ann@example.com', JIMER_ADMIN_PASSWORD: 'a brand new password' })
    try {
      expect(server.output()).toContain('password reset from the environment')
      expect(await signIn(server.url, 'ann@example.com', 'readme demo password')).toBe(401)
      expect(await signIn(server.url, 'ann@example.com', 'a brand new password')).toBe(200)
    } finally {
      await killed(server.child)
    }
    // The same variables again change nothing (no reset, no sessions ended).
    const again = await startServerProcess(db, { JIMER_ADMIN_EMAIL: 'ann@example.com', JIMER_ADMIN_PASSWORD: 'a brand new password' })
    try {
      expect(again.output()).toMatch(/sign in as ann@example.com with JIMER_ADMIN_PASSWORD\)/)
    } finally {
      await killed(again.child)
    }
  })

  it('resets a password offline with npm run admin, even for an account locked by failed sign-ins', async () => {
    const server = await startServerProcess(db, { JIMER_ADMIN_PASSWORD: '' })
    try {
      expect(server.output()).toContain('lost the password? npm run admin -- reset-password')
      for (let i = 0; i < 6; i++) await signIn(server.url, 'admin@localhost', 'wrong guess ' + i)
      expect(await signIn(server.url, 'admin@localhost', 'wrong guess')).toBe(429)
      const reset = await npmRun('admin', ['reset-password', 'ADMIN@localhost'], { JIMER_DB: db, JIMER_ADMIN_PASSWORD: '' })
      expect(reset.code, reset.out).toBe(0)
      const password = /reset: (\S+) — shown once/.exec(reset.out)?.[1]
      expect(password, reset.out).toBeDefined()
      expect(await signIn(server.url, 'admin@localhost', password!)).toBe(200)
      const unknown = await npmRun('admin', ['reset-password', 'ghost@example.com'], { JIMER_DB: db })
      expect(unknown.code).toBe(1)
      expect(unknown.out).toContain('no account ghost@example.com; accounts: admin@localhost, ann@example.com')
    } finally {
      await killed(server.child)
    }
  })
})
