import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killed, startServerProcess } from '../helpers/node-process.js'

describe('the Node server killed with SIGKILL under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-crash-'))
  const dbPath = join(dir, 'jimer.db')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps every message it acknowledged, and stores retries of the rest once', async () => {
    const first = await startServerProcess(dbPath)
    const acknowledged = new Set<string>()
    const attempted: { id: string; body: string }[][] = []
    let seq = 0
    let stop = false

    // Eight senders post batches of 1–20 events until the server dies under them.
    const sender = async (s: number) => {
      while (!stop) {
        const items = Array.from({ length: 1 + (seq % 20) }, () => {
          const id = `crash-${s}-${++seq}`
          return { id, body: JSON.stringify({ type: 'track', anonymousId: `visitor-${seq % 50}`, event: 'load', messageId: id }) }
        })
        attempted.push(items)
        try {
          const r = await fetch(`${first.url}/v1/batch`, { method: 'POST', body: `{"writeKey":"${first.writeKey}","batch":[${items.map((i) => i.body).join(',')}]}` })
          if (r.status === 200) for (const i of items) acknowledged.add(i.id)
        } catch {
          return // the server is gone: whatever was in flight was not acknowledged
        }
      }
    }
    const senders = Array.from({ length: 8 }, (_, s) => sender(s))
    await expect.poll(() => acknowledged.size, { timeout: 20_000, interval: 5 }).toBeGreaterThan(2000)
    await killed(first.child)
    stop = true
    await Promise.all(senders)

    const db = createClient({ url: `file:${dbPath}` })
    const stored = new Set((await db.execute(`SELECT message_id FROM events WHERE message_id LIKE 'crash-%'`)).rows.map((r) => String(r.message_id)))
    const missing = [...acknowledged].filter((id) => !stored.has(id))
    expect(missing).toEqual([])
    expect(acknowledged.size).toBeGreaterThan(2000)

    // The restarted server takes every attempted message again (as a client would retry); each is stored once.
    const second = await startServerProcess(dbPath)
    try {
      expect(second.writeKey).toBe(first.writeKey)
      const all = attempted.flat()
      for (let i = 0; i < all.length; i += 500) {
        const chunk = all.slice(i, i + 500)
        const r = await fetch(`${second.url}/v1/batch`, { method: 'POST', body: `{"writeKey":"${second.writeKey}","batch":[${chunk.map((x) => x.body).join(',')}]}` })
        expect(r.status).toBe(200)
      }
      const counts = (await db.execute(`SELECT count(*) AS n, count(DISTINCT message_id) AS d, (SELECT sum(events_count) FROM users) AS c FROM events WHERE message_id LIKE 'crash-%'`)).rows[0]
      expect(Number(counts.n)).toBe(all.length)
      expect(Number(counts.d)).toBe(all.length)
      expect(Number(counts.c)).toBe(all.length)
    } finally {
      await killed(second.child)
      db.close()
    }
  }, 90_000) // two server starts and a few thousand messages: on a loaded 2-core machine this outgrows the default 30 s
})
