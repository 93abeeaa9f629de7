import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webhookReceiver } from '../helpers/webhook-receiver.js'
import { workerdApp } from './workerd-app.js'

/**
 * Webhooks in workerd: after a change the Worker fans out and delivers past its response
 * (waitUntil); the cron sends what falls due later and picks up ledger rows nobody's
 * request announced.
 */
describe('webhooks in the Workers runtime', () => {
  let app: Awaited<ReturnType<typeof workerdApp>>
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>
  let secret: string
  let list: number
  const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const cron = async () => {
    const worker = await app.mf.getWorker()
    await worker.scheduled({ cron: '*/5 * * * *' })
  }

  beforeAll(async () => {
    receiver = await webhookReceiver()
    app = await workerdApp('workerd webhooks password', { bindings: { JIMER_WEBHOOKS_ALLOW_PRIVATE: '1' } })
    await app.fetch('/v1/identify', { method: 'POST', ...json({ writeKey: app.boot.writeKey, userId: 'edge-user', anonymousId: 'jimer-edge', traits: { email: 'edge@example.com' } }) })
    list = (await (await app.call('/segments', { method: 'POST', ...json({ name: 'Edge list', kind: 'static' }) })).json() as { id: number }).id
    const made = await app.call('/webhooks', { method: 'POST', ...json({ url: receiver.url }) })
    expect(made.status).toBe(201)
    secret = (await made.json() as { secret: string }).secret
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await receiver?.close()
  })

  it('delivers an entry after the request that made it, signed', async () => {
    expect((await app.call(`/segments/${list}/members`, { method: 'POST', ...json({ userIds: ['edge-user'] }) })).status).toBe(200)
    await expect.poll(() => receiver.delivered().length, { timeout: 10_000 }).toBe(1)
    const [r] = receiver.delivered()
    expect(new Webhook(secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }))
      .toMatchObject({ type: 'segment.entered', data: { user: { id: 'edge-user', jimerIds: ['jimer-edge'], email: 'edge@example.com' }, segment: { id: list, name: 'Edge list' } } })
  })

  it('retries from the cron once a failed delivery is due, and fans out ledger rows no request announced', async () => {
    receiver.received.length = 0
    let up = false
    receiver.answer(() => (up ? 200 : 500))
    const pk = Number((await app.db.client.execute(`SELECT id FROM users WHERE user_id = 'edge-user'`)).rows[0].id)
    // A ledger row written straight to the database: only the cron will see it.
    await app.db.client.execute({ sql: 'DELETE FROM segment_members WHERE segment_id = ? AND user_pk = ?', args: [list, pk] })
    await cron()
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    await expect.poll(async () => (await app.db.client.execute(`SELECT attempts, last_status FROM webhook_deliveries WHERE status = 'pending'`)).rows.map((x) => [Number(x.attempts), Number(x.last_status)])).toEqual([[1, 500]])
    up = true
    // The retry falls due (as five minutes of cron period would make it).
    await app.db.client.execute(`UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'`)
    await cron()
    await expect.poll(() => receiver.delivered().length, { timeout: 10_000 }).toBe(1)
    expect(receiver.delivered()[0].id).toBe(receiver.received[0].id)
    expect(JSON.parse(receiver.delivered()[0].body)).toMatchObject({ type: 'segment.left', data: { user: { id: 'edge-user' } } })
    await expect.poll(async () => (await app.db.client.execute(`SELECT status, attempts FROM webhook_deliveries ORDER BY id`)).rows.map((x) => [x.status, Number(x.attempts)])).toEqual([['delivered', 1], ['delivered', 2]])
  })

  it('refuses a private target without JIMER_WEBHOOKS_ALLOW_PRIVATE', async () => {
    const strict = await workerdApp('workerd strict password')
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://[::1]/', 'http://169.254.169.254/', 'http://localhost/x']) {
        const r = await strict.call('/webhooks', { method: 'POST', ...json({ url }) })
        expect(r.status, url).toBe(400)
        expect(await r.json()).toMatchObject({ error: { code: 'private_target', field: 'url' } })
      }
    } finally {
      await strict.close()
    }
  }, 60_000)
})
