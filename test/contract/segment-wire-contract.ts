import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../../worker/src/ingest/limits.js'
import { patchSettings, type CollectorTarget } from './collector-contract.js'

/**
 * How real Segment-spec clients talk to the collector (issue 14, items 1 and 2), on every
 * runtime tier: analytics.js's one-letter paths with text/plain bodies and its preflight,
 * `context.traits`, `integrations`, `context.ip` only when the project stores addresses,
 * and gzip / deflate bodies inflated as a stream with the limit on the inflated size.
 */
export function segmentWireContract(tier: string, setup: () => Promise<CollectorTarget>) {
  describe(`Segment clients on the wire (${tier})`, () => {
    let t: CollectorTarget
    let n = 0
    const uid = (p: string) => `${p}-${tier}-${++n}-${Math.random().toString(36).slice(2, 8)}`
    beforeAll(async () => { t = await setup() })
    afterAll(async () => { await t?.close() })

    const rows = async (sql: string, args: unknown[] = []) => (await t.db.execute({ sql, args: args as never })).rows
    const deviceOf = async (a: string) => (await rows('SELECT * FROM devices WHERE project_id = ? AND anonymous_id = ?', [t.projectId, a]))[0]
    const eventsOfDevice = async (a: string) =>
      rows('SELECT e.* FROM events e JOIN devices d ON d.user_pk = e.user_pk WHERE d.project_id = ? AND d.anonymous_id = ? ORDER BY e.timestamp, e.id', [t.projectId, a])
    const send = async (path: string, body: Uint8Array | string, headers: Record<string, string>) => {
      const r = await t.fetch(path, { method: 'POST', headers, body: body as BodyInit })
      return { status: r.status, body: await r.json() as any }
    }
    const plain = (path: string, body: unknown) => send(path, JSON.stringify(body), { 'content-type': 'text/plain' })

    it('takes every analytics.js short path with a text/plain body and answers as Segment does', async () => {
      const [a, u, m] = [uid('a'), uid('u'), () => uid('m')]
      const base = { writeKey: t.writeKey, anonymousId: a }
      expect(await plain('/v1/p', { ...base, type: 'page', name: 'Home', messageId: m() })).toEqual({ status: 200, body: { success: true } })
      expect((await plain('/v1/t', { ...base, type: 'track', event: 'clicked', messageId: m() })).status).toBe(200)
      expect((await plain('/v1/s', { ...base, type: 'screen', name: 'Main', messageId: m() })).status).toBe(200)
      expect((await plain('/v1/i', { ...base, type: 'identify', userId: u, traits: { plan: 'pro' }, messageId: m() })).status).toBe(200)
      expect((await plain('/v1/g', { ...base, userId: u, type: 'group', groupId: 'acme', traits: { name: 'Acme' }, messageId: m() })).status).toBe(200)
      expect((await plain('/v1/a', { writeKey: t.writeKey, type: 'alias', userId: u, previousId: uid('old'), messageId: m() })).status).toBe(200)
      // Batching mode: /v1/b with the batch-level sentAt and no per-event one.
      expect(await plain('/v1/b', { writeKey: t.writeKey, sentAt: new Date().toISOString(), batch: [{ ...base, writeKey: undefined, type: 'track', event: 'batched', messageId: m() }] }))
        .toEqual({ status: 200, body: { success: true, accepted: 1, rejected: [] } })
      expect((await eventsOfDevice(a)).map((e) => e.name)).toEqual(['$page', 'clicked', '$screen', '$identify', '$group', '$alias', 'batched'])
      const [profile] = await rows('SELECT * FROM users WHERE project_id = ? AND user_id = ?', [t.projectId, u])
      expect(JSON.parse(String(profile.attributes))).toEqual({ plan: 'pro', company: { id: 'acme', name: 'Acme' } })
    })

    it('answers the preflight analytics.js needs for its Authorization and X-Retry-Count headers', async () => {
      const r = await t.fetch('/v1/t', {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-retry-count' },
      })
      expect(r.status).toBe(204)
      expect(r.headers.get('access-control-allow-origin')).toBe('https://shop.example')
      const allowed = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/)
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-retry-count', 'content-encoding']))
    })

    it('applies context.traits as the traits of the user sending the event; the message\'s own traits win', async () => {
      const [a, u] = [uid('a'), uid('u')]
      await plain('/v1/t', { writeKey: t.writeKey, anonymousId: a, userId: u, type: 'track', event: 'bought', context: { traits: { plan: 'team', seats: 4, email: 'kim@example.com' } } })
      await plain('/v1/i', { writeKey: t.writeKey, anonymousId: a, userId: u, type: 'identify', traits: { plan: 'enterprise' }, context: { traits: { plan: 'ignored', role: 'owner' } } })
      const [profile] = await rows('SELECT * FROM users WHERE project_id = ? AND user_id = ?', [t.projectId, u])
      expect(profile.email).toBe('kim@example.com')
      expect(JSON.parse(String(profile.attributes))).toEqual({ plan: 'enterprise', seats: 4, role: 'owner' })
      expect(await plain('/v1/t', { writeKey: t.writeKey, anonymousId: a, type: 'track', event: 'x', context: { traits: ['not', 'an', 'object'] } }))
        .toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'context.traits' } } })
      expect(await plain('/v1/t', { writeKey: t.writeKey, anonymousId: a, type: 'track', event: 'x', context: { traits: { email: 42 } } }))
        .toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'context.traits.email' } } })
    })

    it('keeps integrations with the event, the batch-level object as the default', async () => {
      const a = uid('a')
      await plain('/v1/b', {
        writeKey: t.writeKey, integrations: { All: false, Mixpanel: true },
        batch: [
          { type: 'track', anonymousId: a, event: 'own', integrations: { 'Google Analytics': { clientId: 'c1' } } },
          { type: 'track', anonymousId: a, event: 'inherited' },
        ],
      })
      await plain('/v1/t', { writeKey: t.writeKey, anonymousId: a, type: 'track', event: 'none' })
      const events = await eventsOfDevice(a)
      expect(Object.fromEntries(events.map((e) => [e.name, e.integrations === null ? null : JSON.parse(String(e.integrations))]))).toEqual({
        own: { 'Google Analytics': { clientId: 'c1' } }, inherited: { All: false, Mixpanel: true }, none: null,
      })
    })

    it('stores context.ip on the device only when the project turns it on, and never in the event', async () => {
      const [off, on] = [uid('off'), uid('on')]
      const track = (a: string) => send('/v1/track', JSON.stringify({ anonymousId: a, event: 'e', context: { ip: '203.0.113.7', locale: 'en' } }), { 'content-type': 'application/json', authorization: 'Basic ' + btoa(t.secretKey + ':') })
      expect((await track(off)).status).toBe(200)
      await patchSettings(t, { collectIp: true })
      try {
        expect((await track(on)).status).toBe(200)
      } finally {
        await patchSettings(t, { collectIp: false })
      }
      expect([(await deviceOf(off)).ip, (await deviceOf(on)).ip]).toEqual([null, '203.0.113.7'])
      for (const a of [off, on]) expect(JSON.parse(String((await eventsOfDevice(a))[0].context))).toEqual({ locale: 'en' })
    })

    it.each([['gzip', gzipSync], ['x-gzip', gzipSync], ['deflate', deflateSync]] as const)('inflates a %s batch and stores it once, a retry included', async (encoding, compress) => {
      const [a, m] = [uid('a'), uid('m')]
      const body = compress(JSON.stringify({ batch: [{ type: 'track', anonymousId: a, event: 'zipped', messageId: m }] }))
      const headers = { 'content-type': 'application/json', 'content-encoding': encoding, authorization: 'Basic ' + btoa(t.writeKey + ':') }
      expect(await send('/v1/batch', body, headers)).toEqual({ status: 200, body: { success: true, accepted: 1, rejected: [] } })
      expect((await send('/v1/batch', body, headers)).status).toBe(200)
      expect(await rows('SELECT name FROM events WHERE project_id = ? AND message_id = ?', [t.projectId, m])).toHaveLength(1)
    })

    it('stops a gzip bomb at the inflated limit with 413, and refuses a body that grows just past it', async () => {
      const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
      const bomb = gzipSync('0'.repeat(64 * 1024 * 1024), { level: 9 })
      expect(bomb.length).toBeLessThan(LIMITS.requestBytes / 4)
      expect(await send('/v1/batch', bomb, headers)).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } })
      const over = JSON.stringify({ writeKey: t.writeKey, batch: [], pad: 'x'.repeat(LIMITS.requestBytes) })
      expect(await send('/v1/batch', gzipSync(over), headers)).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } })
      const under = JSON.stringify({ writeKey: t.writeKey, batch: [], pad: 'x'.repeat(LIMITS.requestBytes - 100) })
      expect((await send('/v1/batch', gzipSync(under), headers)).status).toBe(200)
    })

    it('answers a truncated, corrupt or uncompressed body under gzip with 400, and other encodings with 415', async () => {
      const a = uid('a')
      const body = gzipSync(JSON.stringify({ writeKey: t.writeKey, batch: [{ type: 'track', anonymousId: a, event: 'cut' }] }))
      const gz = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
      const refused = { status: 400, body: { error: { code: 'invalid_compressed_body' } } }
      expect(await send('/v1/batch', body.subarray(0, body.length - 6), gz)).toMatchObject(refused)
      const corrupt = Uint8Array.from(body)
      corrupt.fill(0x55, 12, 30)
      expect(await send('/v1/batch', corrupt, gz)).toMatchObject(refused)
      expect(await send('/v1/batch', JSON.stringify({ writeKey: t.writeKey, batch: [] }), gz)).toMatchObject(refused)
      expect(await send('/v1/batch', brotliCompressSync('{}'), { 'content-encoding': 'br' })).toMatchObject({ status: 415, body: { error: { code: 'unsupported_encoding' } } })
      expect(await send('/v1/batch', gzipSync(gzipSync('{}')), { 'content-encoding': 'gzip, gzip' })).toMatchObject({ status: 415, body: { error: { code: 'unsupported_encoding' } } })
      expect(await deviceOf(a)).toBeUndefined()
    })
  })
}
