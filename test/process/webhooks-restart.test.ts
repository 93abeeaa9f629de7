import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { killed, startServerProcess } from '../helpers/node-process.js'
import { webhookReceiver } from '../helpers/webhook-receiver.js'

describe('webhook deliveries across a SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-webhooks-'))
  const dbPath = join(dir, 'jimer.db')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  // Two server starts and a real 5 s backoff: more than the default 30 s on a loaded machine.
  it('keeps an undelivered delivery through SIGKILL and delivers it, with the same webhook-id, after the restart', { timeout: 120_000 }, async () => {
    const receiver = await webhookReceiver()
    let up = false
    receiver.answer(() => (up ? 200 : 500))
    const env = { JIMER_WEBHOOKS_ALLOW_PRIVATE: '1' }
    const first = await startServerProcess(dbPath, env)
    const db = createClient({ url: `file:${dbPath}` })
    try {
      const p = (await db.execute('SELECT id, secret_key FROM projects')).rows[0]
      const api = async (path: string, body?: unknown) => {
        const r = await fetch(`${first.url}/api/projects/${p.id}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${p.secret_key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
        return (await r.json()) as any
      }
      const hook = await api('/webhooks', { url: receiver.url })
      expect(hook.secret).toMatch(/^whsec_/)
      await fetch(`${first.url}/v1/identify`, { method: 'POST', body: JSON.stringify({ writeKey: first.writeKey, userId: 'kim', anonymousId: 'jimer-kim', traits: { email: 'kim@example.com' } }) })
      const list = await api('/segments', { name: 'Survivors', kind: 'static' })
      expect(await api(`/segments/${list.id}/members`, { userIds: ['kim'] })).toMatchObject({ added: 1 })
      // The first attempt fails (500), and the server dies before its retry.
      await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
      // Killed once the failure is on record (killed mid-attempt, the claim's 30 s lease would hold the retry back).
      await expect.poll(async () => Number((await db.execute('SELECT attempts FROM webhook_deliveries')).rows[0]?.attempts), { timeout: 10_000 }).toBe(1)
      await killed(first.child)
      const pending = (await db.execute('SELECT status, attempts, webhook_id FROM webhook_deliveries')).rows
      expect(pending).toEqual([expect.objectContaining({ status: 'pending', webhook_id: receiver.received[0].id })])

      up = true
      const second = await startServerProcess(dbPath, env)
      try {
        // The retry is due 5 s (±20 %) after the failed attempt.
        await expect.poll(() => receiver.delivered().length, { timeout: 15_000, interval: 100 }).toBe(1)
        const [ok] = receiver.delivered()
        expect(ok.id).toBe(receiver.received[0].id)
        expect(ok.body).toBe(receiver.received[0].body)
        const verified = new Webhook(hook.secret).verify(ok.body, { 'webhook-id': ok.id, 'webhook-timestamp': ok.timestamp, 'webhook-signature': ok.signature })
        expect(verified).toMatchObject({ type: 'segment.entered', data: { user: { id: 'kim', email: 'kim@example.com', jimerIds: ['jimer-kim'] }, segment: { name: 'Survivors' } } })
        await expect.poll(async () => (await db.execute('SELECT status, attempts FROM webhook_deliveries')).rows.map((r) => [r.status, Number(r.attempts)])).toEqual([['delivered', 2]])
        expect(receiver.received).toHaveLength(2)
      } finally {
        await killed(second.child)
      }
    } finally {
      await killed(first.child)
      db.close()
      await receiver.close()
    }
  })
})
