import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

/** F-15: the collector's limits per write key and per client address, 429 with Retry-After. */
describe('collector rate limits', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const OTHER_KEY = 'wk_other_project_key'
  const track = (ip: string, messageId: string, writeKey = t.boot.writeKey) =>
    t.app.request('/v1/track', { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-ip': ip }, body: JSON.stringify({ writeKey, userId: 'u1', event: 'e', messageId }) })
  const stored = async (messageId: string) => (await t.db.execute({ sql: 'SELECT count(*) AS n FROM events WHERE message_id = ?', args: [messageId] })).rows[0].n

  beforeEach(async () => {
    t = await testApp({ limits: { perKey: { limit: 5, periodSeconds: 10 }, perIp: { limit: 3, periodSeconds: 10 } } })
    t.clock.set(Date.parse('2026-11-01T12:00:03Z'))
    await t.db.execute({ sql: `INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('prj_other', 'Other', ?, 'sk_other', 0)`, args: [OTHER_KEY] })
  })
  afterEach(() => t.dispose())

  it('stops one address past its limit with 429 and Retry-After, stores nothing of it, and lets other addresses through', async () => {
    for (let i = 0; i < 3; i++) expect((await track('10.0.0.1', `a${i}`)).status).toBe(200)
    const refused = await track('10.0.0.1', 'a3')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('7')
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: 'too many requests from this address; retry in 7 s' } })
    expect(await stored('a3')).toBe(0)
    expect((await track('10.0.0.2', 'b0')).status).toBe(200)
    // The window passes: the address is let through again.
    t.clock.advance(7000)
    expect((await track('10.0.0.1', 'a4')).status).toBe(200)
    expect(await stored('a4')).toBe(1)
  })

  it('caps a write key across addresses, without touching another project', async () => {
    const statuses = []
    for (let i = 0; i < 7; i++) statuses.push((await track(`10.0.1.${i}`, `k${i}`)).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
    expect((await (await track('10.0.1.9', 'k9')).json()).error.message).toContain('this write key')
    for (let i = 0; i < 3; i++) expect((await track(`10.0.1.${i}`, `o${i}`, OTHER_KEY)).status).toBe(200)
  })

  it('counts secret-key calls against the project only: many users may sit behind one server address', async () => {
    const secretCall = (i: number) => t.app.request('/v1/track', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-test-ip': '10.0.2.1', authorization: `Basic ${btoa(`${t.secretKey}:`)}` },
      body: JSON.stringify({ userId: 'srv', event: 'e', messageId: `s${i}` }),
    })
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await secretCall(i)).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })

  it('refuses a whole batch past the limit, so a client retries it whole', async () => {
    for (let i = 0; i < 3; i++) await track('10.0.3.1', `p${i}`)
    const r = await t.app.request('/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-ip': '10.0.3.1' }, body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [{ type: 'track', userId: 'u', event: 'e', messageId: 'q1' }] }) })
    expect(r.status).toBe(429)
    expect(await stored('q1')).toBe(0)
  })
})
