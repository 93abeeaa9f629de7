import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { webhookLoop } from '../../worker/src/webhooks/loop.js'
import { pumpWebhooks } from '../../worker/src/webhooks/pump.js'
import { runScheduled } from '../../worker/src/scheduled.js'
import { fanOut, fanOutStatements } from '../../worker/src/webhooks/fan-out.js'
import { directWriter } from '../../worker/src/ingest/writer.js'
import { DISABLE_AFTER_MS } from '../../worker/src/webhooks/backoff.js'
import { testApp } from '../helpers/test-app.js'
import { nodeResolver } from '../../worker/src/node-dns.js'
import { checkTarget } from '../../worker/src/webhooks/target.js'
import { webhookReceiver, type Received } from '../helpers/webhook-receiver.js'

type T = Awaited<ReturnType<typeof testApp>>

/** The app with its webhook loop on the test's clock, as node.ts wires it. */
async function appWithLoop(target: { allowPrivate: boolean; resolve?: (h: string) => Promise<string[]> }) {
  let loop: ReturnType<typeof webhookLoop> | undefined
  const t = await testApp({ webhooks: { target, afterWrite: () => loop?.wake() } })
  loop = webhookLoop({ db: t.db, now: t.clock.get, fetch, target }, { idleMs: 50 })
  loop.start()
  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
      method: init.method ?? 'GET', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    return { status: res.status, body: res.status === 204 ? null : (await res.json()) as any }
  }
  return { t, loop, api }
}

/** Verifies as a receiver would at the moment it received the request. */
function verify(secret: string, r: Received): unknown {
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    vi.setSystemTime(Number(r.timestamp) * 1000)
    return new Webhook(secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature })
  } finally {
    vi.useRealTimers()
  }
}

describe('webhooks on segment entry and exit', () => {
  let s: Awaited<ReturnType<typeof appWithLoop>>
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>
  let list: number
  const pks: Record<string, number> = {}

  const add = (pk: number, seg = list) => s.api(`/segments/${seg}/members`, { method: 'POST', body: { ids: [pk] } })
  const remove = (pk: number, seg = list) => s.api(`/segments/${seg}/members/${pk}`, { method: 'DELETE' })
  const payloads = (rs: Received[]) => rs.map((r) => JSON.parse(r.body))
  /** Moves the clock on and lets the loop see it. */
  const advance = (ms: number) => {
    s.t.clock.advance(ms)
    s.loop.wake()
  }

  beforeAll(async () => {
    s = await appWithLoop({ allowPrivate: true })
    receiver = await webhookReceiver()
    await s.t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: s.t.boot.writeKey, batch: [
      { type: 'identify', userId: 'ann', anonymousId: 'jimer-ann-1', traits: { email: 'ann@example.com', name: 'Ann <b>Lee</b>' } },
      { type: 'identify', userId: 'bob', anonymousId: 'jimer-bob-1', traits: { email: 'bob@example.com' } },
      { type: 'identify', userId: 'cat', anonymousId: 'jimer-cat-1' },
    ] }) })
    for (const id of ['ann', 'bob', 'cat']) pks[id] = Number((await s.t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [id] })).rows[0].id)
    list = (await s.api('/segments', { method: 'POST', body: { name: 'Beta testers', kind: 'static' } })).body.id
  })
  // Each test starts with no endpoint and a receiver that answers 200.
  afterEach(async () => {
    for (const w of (await s.api('/webhooks')).body.webhooks) await s.api(`/webhooks/${w.id}`, { method: 'DELETE' })
    receiver.received.length = 0
    receiver.answer(() => 200)
  })
  afterAll(async () => {
    await s.loop.stop()
    await receiver.close()
    s.t.dispose()
  })

  it('delivers each entry and exit, signed so that standardwebhooks verifies it', async () => {
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url, description: 'CRM' } })
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({ url: receiver.url, description: 'CRM', segmentIds: null, enabled: true, disabledReason: null })
    expect(made.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)

    await add(pks.ann)
    await remove(pks.ann)
    await expect.poll(() => receiver.delivered().length).toBe(2)
    const [entered, left] = receiver.delivered()
    for (const r of [entered, left]) expect(verify(made.body.secret, r)).toEqual(JSON.parse(r.body))
    expect(() => verify(made.body.secret, { ...entered, body: entered.body.replace('ann@', 'eve@') })).toThrow()
    expect(JSON.parse(entered.body)).toEqual({
      type: 'segment.entered', timestamp: expect.stringMatching(/^2026-11-01T12:00:00\.000Z$/),
      data: {
        segment: { id: list, key: expect.any(String), name: 'Beta testers' },
        user: { id: 'ann', jimerIds: ['jimer-ann-1'], email: 'ann@example.com', name: 'Ann <b>Lee</b>' },
        at: expect.any(String), cause: expect.any(String),
      },
    })
    expect(JSON.parse(left.body)).toMatchObject({ type: 'segment.left', data: { user: { id: 'ann' } } })
    expect(entered.id).toMatch(/^msg_/)
    expect(entered.id).not.toBe(left.id)

    // The log is written after the receiver answered.
    await expect.poll(async () => (await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries).toEqual([
      expect.objectContaining({ eventType: 'segment.left', status: 'delivered', attempts: 1, lastStatus: 200, lastError: null, responseMs: expect.any(Number) }),
      expect.objectContaining({ eventType: 'segment.entered', status: 'delivered', attempts: 1, webhookId: entered.id }),
    ])
  })

  it('gets everything once a receiver that answered 500 recovers; duplicates are only retries with the same webhook-id', async () => {
    let down = true
    receiver.answer(() => (down ? 500 : 200))
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url, segmentIds: [list] } })
    for (const pk of [pks.ann, pks.bob, pks.cat]) await add(pk)
    await remove(pks.bob)
    await expect.poll(() => receiver.received.length).toBeGreaterThanOrEqual(3)
    // Each key's first delivery is tried; bob's exit waits behind his entry.
    expect(new Set(receiver.received.map((r) => JSON.parse(r.body).data.user.id + JSON.parse(r.body).type))).not.toContain('bobsegment.left')
    for (const wait of [6_000, 36_000, 144_000]) {
      const before = receiver.received.length
      advance(wait)
      // Every key's first delivery is tried again: ann's, bob's and cat's entries.
      await expect.poll(() => receiver.received.length).toBeGreaterThanOrEqual(before + 3)
    }
    const pending = await s.api(`/webhooks/${made.body.id}/deliveries?status=pending`)
    expect(pending.body.deliveries.find((d: any) => d.attempts >= 3)).toMatchObject({ lastStatus: 500, lastError: 'HTTP 500: receiver is down' })
    down = false
    advance(12 * 60_000)
    await expect.poll(() => new Set(receiver.delivered().map((r) => r.id)).size).toBe(4)
    // Every request of one webhook-id carried the same body: retries, not new messages.
    const byId = new Map<string, Received[]>()
    for (const r of receiver.received) byId.set(r.id, [...(byId.get(r.id) ?? []), r])
    expect(byId.size).toBe(4)
    for (const rs of byId.values()) expect(new Set(rs.map((r) => r.body)).size).toBe(1)
    expect(receiver.delivered().length).toBe(4)
    const bob = payloads(receiver.delivered()).filter((p) => p.data.user.id === 'bob').map((p) => p.type)
    expect(bob).toEqual(['segment.entered', 'segment.left'])
    await expect.poll(async () => (await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries.map((d: any) => d.status)).toEqual(Array(4).fill('delivered'))
    expect((await s.api(`/webhooks/${made.body.id}`)).body).toMatchObject({ failingSince: null, enabled: true, pending: 0 })
  })

  it('keeps the order of one user in one segment: a later change waits for the earlier one', async () => {
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url } })
    // Cat's first delivery fails once; her next ones must not overtake it.
    let failedOnce = false
    receiver.answer((r) => (!failedOnce && JSON.parse(r.body).data.user.id === 'cat' ? ((failedOnce = true), 503) : 200))
    await remove(pks.cat)
    await add(pks.cat)
    await remove(pks.cat)
    await add(pks.bob)
    // Another key is not held up.
    await expect.poll(() => receiver.delivered().some((r) => JSON.parse(r.body).data.user.id === 'bob')).toBe(true)
    expect(receiver.received.filter((r) => JSON.parse(r.body).data.user.id === 'cat')).toHaveLength(1)
    advance(10_000)
    await expect.poll(() => receiver.delivered().filter((r) => JSON.parse(r.body).data.user.id === 'cat').length).toBe(3)
    const cat = payloads(receiver.received).filter((p) => p.data.user.id === 'cat').map((p) => p.type)
    expect(cat).toEqual(['segment.left', 'segment.left', 'segment.entered', 'segment.left'])
  })

  it('follows only the segments it names', async () => {
    const other = (await s.api('/segments', { method: 'POST', body: { name: 'Not followed', kind: 'static' } })).body.id
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url, segmentIds: [list] } })
    await add(pks.bob, other)
    await remove(pks.bob)
    await expect.poll(() => receiver.delivered().length).toBe(1)
    expect(JSON.parse(receiver.delivered()[0].body).data.segment.id).toBe(list)
  })

  it('replays a delivery with the same webhook-id and body, logged as a replay', async () => {
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url } })
    await add(pks.bob)
    await expect.poll(() => receiver.delivered().length).toBe(1)
    const [first] = (await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries
    const replay = await s.api(`/webhooks/${made.body.id}/deliveries/${first.id}/replay`, { method: 'POST' })
    expect(replay).toMatchObject({ status: 201, body: { replayOf: first.id, webhookId: first.webhookId, status: 'pending' } })
    await expect.poll(() => receiver.delivered().length).toBe(2)
    expect(receiver.delivered()[1]).toMatchObject({ id: first.webhookId, body: receiver.delivered()[0].body })
    expect(verify(made.body.secret, receiver.delivered()[1])).toBeTruthy()
    expect((await s.api(`/webhooks/${made.body.id}/deliveries/999999/replay`, { method: 'POST' })).status).toBe(404)
    expect((await s.api(`/webhooks/${made.body.id}/deliveries/abc/replay`, { method: 'POST' })).status).toBe(404)
  })

  it('disables an endpoint after a day of failures, says why, and delivers the backlog in order once enabled again', async () => {
    let down = true
    receiver.answer(() => (down ? 500 : 200))
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url } })
    await remove(pks.bob)
    await expect.poll(() => receiver.received.length).toBe(1)
    // Retry after retry (5 s, 30 s, 2 min, … 6 h) until a day has passed.
    for (let hours = 0; hours <= 40 && (await s.api(`/webhooks/${made.body.id}`)).body.enabled; hours += 7.5) {
      const before = receiver.received.length
      advance(7.5 * 3_600_000)
      await expect.poll(async () => receiver.received.length > before || !(await s.api(`/webhooks/${made.body.id}`)).body.enabled).toBe(true)
    }
    const disabled = (await s.api(`/webhooks/${made.body.id}`)).body
    expect(disabled).toMatchObject({ enabled: false, pending: 1, disabledReason: expect.stringMatching(/^every delivery failed for 24 hours \(since 2026-11-0.T.*\); last error: HTTP 500/) })
    expect(s.t.clock.get() - disabled.failingSince).toBeGreaterThanOrEqual(DISABLE_AFTER_MS)
    // Disabled: nothing is sent, and new changes are not queued for it.
    const tried = receiver.received.length
    await add(pks.bob)
    s.t.clock.advance(7 * 3_600_000)
    // One whole pump at this time, awaited: it sends nothing and queues nothing for a disabled endpoint.
    expect(await pumpWebhooks({ db: s.t.db, now: s.t.clock.get, fetch, target: { allowPrivate: true } })).toEqual({ created: 0, attempted: 0 })
    expect(receiver.received.length).toBe(tried)
    expect((await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries).toHaveLength(1)

    down = false
    const enabled = await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { enabled: true } })
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null })
    advance(7 * 3_600_000)
    await expect.poll(() => receiver.delivered().length).toBe(1)
    expect(JSON.parse(receiver.delivered()[0].body)).toMatchObject({ type: 'segment.left', data: { user: { id: 'bob' } } })
  })

  it('gives up on a delivery pending for three days (failed, no longer holding back the next), and Replay sends it again', async () => {
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url, enabled: false } })
    expect(made.body.enabled).toBe(false)
    // Disabled from the start: nothing is queued; enabled, its changes queue while it is off again.
    await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { enabled: true } })
    await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { enabled: false } })
    await s.t.db.execute({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES (?, ?, ?, 0, 0)`, args: [s.t.boot.projectId, list, pks.cat] })
    await pumpWebhooks({ db: s.t.db, now: s.t.clock.get, fetch, target: { allowPrivate: true } })
    expect((await s.api(`/webhooks/${made.body.id}`)).body).toMatchObject({ pending: 0 })
    await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { enabled: true } })
    await remove(pks.cat)
    await expect.poll(() => receiver.delivered().length).toBe(1)
    receiver.answer(() => 500)
    await add(pks.cat)
    await expect.poll(() => receiver.received.length).toBe(2)
    await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { enabled: false } })
    s.t.clock.advance(3 * 86_400_000)
    expect((await runScheduled(s.t.db, directWriter(s.t.db), s.t.clock.get())).webhooks).toEqual({ failed: 1, pruned: 0 })
    const [failed] = (await s.api(`/webhooks/${made.body.id}/deliveries?status=failed`)).body.deliveries
    expect(failed).toMatchObject({ eventType: 'segment.entered', attempts: 1, lastError: 'given up: not delivered within 3 days (last error: HTTP 500: receiver is down)' })
    receiver.answer(() => 200)
    await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { enabled: true } })
    await s.api(`/webhooks/${made.body.id}/deliveries/${failed.id}/replay`, { method: 'POST' })
    await expect.poll(() => receiver.delivered().map((r) => JSON.parse(r.body).type)).toEqual(['segment.left', 'segment.entered'])
    expect(receiver.delivered()[1].id).toBe(failed.webhookId)
    // The log keeps 30 days.
    s.t.clock.advance(31 * 86_400_000)
    expect((await runScheduled(s.t.db, directWriter(s.t.db), s.t.clock.get())).webhooks.pruned).toBeGreaterThanOrEqual(3)
    expect((await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries).toEqual([])
  })

  it('fans out in one transaction: a rewound cursor (a crash before its commit) makes no second delivery', async () => {
    await s.loop.stop()
    try {
      const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url } })
      await remove(pks.cat)
      const cursor = Number((await s.t.db.execute('SELECT ledger_id FROM webhook_cursor')).rows[0].ledger_id)
      expect(await fanOut(s.t.db, s.t.clock.get())).toEqual({ created: 1, more: false })
      await s.t.db.execute({ sql: 'UPDATE webhook_cursor SET ledger_id = ?', args: [cursor] })
      expect(await fanOut(s.t.db, s.t.clock.get())).toEqual({ created: 0, more: false })
      expect((await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries).toHaveLength(1)
      // A statement that fails rolls the whole fan-out back: cursor and deliveries together.
      await add(pks.cat)
      const before = Number((await s.t.db.execute('SELECT ledger_id FROM webhook_cursor')).rows[0].ledger_id)
      await expect(s.t.db.batch([...fanOutStatements(s.t.clock.get()), { sql: 'SELECT no_such_column FROM webhook_cursor', args: [] }], 'write')).rejects.toThrow()
      expect(Number((await s.t.db.execute('SELECT ledger_id FROM webhook_cursor')).rows[0].ledger_id)).toBe(before)
      expect((await s.api(`/webhooks/${made.body.id}/deliveries`)).body.deliveries).toHaveLength(1)
    } finally {
      s.loop.start()
    }
    await expect.poll(() => receiver.delivered().map((r) => JSON.parse(r.body).type)).toEqual(['segment.left', 'segment.entered'])
  })

  it('shows the secret when made and on rotation only', async () => {
    const made = await s.api('/webhooks', { method: 'POST', body: { url: receiver.url } })
    const one = await s.api(`/webhooks/${made.body.id}`)
    const all = await s.api('/webhooks')
    expect(JSON.stringify([one.body, all.body])).not.toContain(made.body.secret)
    expect(JSON.stringify([one.body, all.body])).not.toContain('whsec_')
    const rotated = await s.api(`/webhooks/${made.body.id}/rotate`, { method: 'POST' })
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(made.body.secret)
    expect(JSON.stringify((await s.api('/webhooks')).body)).not.toContain('whsec_')
    const audit = await s.api('/audit?objectType=webhook')
    expect(JSON.stringify(audit.body)).not.toContain('whsec_')
    expect(audit.body.entries.map((e: any) => e.action)).toEqual(expect.arrayContaining(['webhook.create', 'webhook.delete', 'webhook.rotate', 'webhook.replay', 'webhook.update']))
  })

  it('refuses bad input with a 400 naming the field', async () => {
    const post = (body: unknown) => s.api('/webhooks', { method: 'POST', body })
    expect(await post({})).toMatchObject({ status: 400, body: { error: { code: 'missing_field', field: 'url' } } })
    expect(await post({ url: 'ftp://example.com/x' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_url', field: 'url' } } })
    expect(await post({ url: 'not a url' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_url', field: 'url' } } })
    expect(await post({ url: 'https://example.com/' + 'a'.repeat(3000) })).toMatchObject({ status: 400, body: { error: { code: 'url_too_long', field: 'url', message: expect.stringContaining('2048') } } })
    expect(await post({ url: 'https://user:pw@example.com/' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_url', field: 'url' } } })
    expect(await post({ url: receiver.url, segmentIds: [list, 987654] })).toMatchObject({ status: 400, body: { error: { code: 'unknown_segment', field: 'segmentIds.1' } } })
    expect(await post({ url: receiver.url, segmentIds: [] })).toMatchObject({ status: 400, body: { error: { field: 'segmentIds' } } })
    expect(await post({ url: receiver.url, description: 'x'.repeat(501) })).toMatchObject({ status: 400, body: { error: { field: 'description' } } })
    expect(await post({ url: receiver.url, enabled: 'yes' })).toMatchObject({ status: 400, body: { error: { field: 'enabled' } } })
    expect(await post({ url: { href: 'x' } })).toMatchObject({ status: 400, body: { error: { field: 'url' } } })
    expect(await s.api('/webhooks/wh_nope', { method: 'PATCH', body: { enabled: false } })).toMatchObject({ status: 404 })
    expect(await s.api('/webhooks/wh_nope/deliveries')).toMatchObject({ status: 404 })
    const made = await post({ url: receiver.url })
    expect(await s.api(`/webhooks/${made.body.id}`, { method: 'PATCH', body: { url: 'gopher://x' } })).toMatchObject({ status: 400, body: { error: { field: 'url' } } })
    expect(await s.api(`/webhooks/${made.body.id}/deliveries?limit=0`)).toMatchObject({ status: 400, body: { error: { field: 'limit' } } })
  })
})

describe('webhook targets without JIMER_WEBHOOKS_ALLOW_PRIVATE', () => {
  let t: T
  const names: Record<string, string[]> = {
    'rebind.example.com': ['93.184.216.35'], 'loopback.example.com': ['127.0.0.1'], 'mixed.example.com': ['93.184.216.34', '10.0.0.7'], 'public.example.com': ['93.184.216.34'] }
  beforeAll(async () => {
    t = await testApp({ webhooks: { target: { allowPrivate: false, resolve: async (h) => names[h] ?? [] } } })
  })
  afterAll(() => t.dispose())
  const post = async (url: string) => {
    const res = await t.app.request(`/api/projects/${t.boot.projectId}/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` }, body: JSON.stringify({ url }) })
    return { status: res.status, body: (await res.json()) as any }
  }

  it('refuses loopback, private, link-local and names that resolve to them', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://10.1.2.3/x', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/', 'http://[fe80::1]/', 'http://0.0.0.0/', 'http://2130706433/', 'http://localhost:3000/', 'http://api.localhost/',
      'https://loopback.example.com/hook', 'https://mixed.example.com/hook']) {
      expect(await post(url), url).toMatchObject({ status: 400, body: { error: { code: 'private_target', field: 'url' } } })
    }
    expect(await post('https://nowhere.example.com/')).toMatchObject({ status: 400, body: { error: { code: 'unresolvable_host', field: 'url' } } })
    expect(await post('https://public.example.com/hook')).toMatchObject({ status: 201 })
  })

  it('checks the target again before each delivery: a name that now resolves to a private address is not sent to', async () => {
    const api = async (path: string, body?: unknown): Promise<any> => {
      const res = await t.app.request(`/api/projects/${t.boot.projectId}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` }, body: body === undefined ? undefined : JSON.stringify(body) })
      return res.json()
    }
    await t.app.request('/v1/identify', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, userId: 'rebound' }) })
    const list = await api('/segments', { name: 'Rebinding', kind: 'static' })
    const hook = await api('/webhooks', { url: 'https://rebind.example.com/hook', segmentIds: [list.id] })
    expect(hook.id).toMatch(/^wh_/)
    await api(`/segments/${list.id}/members`, { userIds: ['rebound'] })
    names['rebind.example.com'] = ['10.0.0.9']
    const sent: string[] = []
    const fetchSpy = (async (url: URL) => { sent.push(String(url)); return new Response('ok') }) as unknown as typeof fetch
    // The endpoint of the test above (every segment, still public) is sent to; this one is not.
    expect(await pumpWebhooks({ db: t.db, now: t.clock.get, fetch: fetchSpy, target: { allowPrivate: false, resolve: async (h) => names[h] ?? [] } })).toEqual({ created: 2, attempted: 2 })
    expect(sent).toEqual(['https://public.example.com/hook'])
    const [d] = (await api(`/webhooks/${hook.id}/deliveries`)).deliveries
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: expect.stringMatching(/^not sent: rebind\.example\.com resolves to 10\.0\.0\.9 \(private\)/) })
  })

  it('asks node:dns on Node, and refuses a name that resolves to loopback', async () => {
    const addresses = await nodeResolver('localhost')
    expect(addresses.length).toBeGreaterThan(0)
    // An alias of localhost (as a DNS record pointing at 127.0.0.1 would be), resolved by the system resolver.
    const resolve = (h: string) => nodeResolver(h === 'intranet.example.com' ? 'localhost' : h)
    expect(await checkTarget('https://intranet.example.com/hook', { allowPrivate: false, resolve })).toMatchObject({ code: 'private_target', message: expect.stringContaining('resolves to') })
    expect(await checkTarget('https://no-such-host.invalid/hook', { allowPrivate: false, resolve: nodeResolver })).toMatchObject({ code: 'unresolvable_host' })
    expect(await checkTarget('https://intranet.example.com/hook', { allowPrivate: true, resolve })).toHaveProperty('url')
  })
})
