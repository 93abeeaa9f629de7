import type { Client } from '@libsql/client'
import { beforeAll, afterAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../../worker/src/ingest/limits.js'

/** What a runtime tier hands the contract: an HTTP fetch into the app and the database behind it. */
export interface CollectorTarget {
  fetch(path: string, init?: RequestInit): Promise<Response>
  db: Client
  writeKey: string
  secretKey: string
  projectId: string
  close(): Promise<void>
}

/** Changes the project's settings as an admin does (the settings API), so that every runtime sees it as it would. */
export async function patchSettings(t: CollectorTarget, body: Record<string, unknown>) {
  const r = await t.fetch(`/api/projects/${t.projectId}/settings`, { method: 'PATCH', headers: { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (r.status !== 204) throw new Error(`PATCH settings answered ${r.status}: ${await r.text()}`)
}

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'
const T0 = Date.parse('2026-10-01T10:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The collector's HTTP contract (Foundation issue, F-10…F-15). Every runtime tier runs it.
 * Ids are made unique per test so tests never see each other's rows.
 */
export function collectorContract(tier: string, setup: () => Promise<CollectorTarget>) {
  describe(`collector contract (${tier})`, () => {
    let t: CollectorTarget
    let n = 0
    const uid = (p: string) => `${p}-${tier}-${++n}-${Math.random().toString(36).slice(2, 8)}`
    beforeAll(async () => { t = await setup() })
    afterAll(async () => { await t?.close() })

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      t.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    const batch = (items: unknown[], extra: Record<string, unknown> = {}) => post('/v1/batch', { writeKey: t.writeKey, batch: items, ...extra })
    const rows = async (sql: string, args: unknown[] = []) => (await t.db.execute({ sql, args: args as never })).rows
    const profileOf = async (userId: string) => (await rows('SELECT * FROM users WHERE project_id = ? AND user_id = ?', [t.projectId, userId]))[0]
    const profileOfDevice = async (anonymousId: string) =>
      (await rows('SELECT u.* FROM users u JOIN devices d ON d.user_pk = u.id WHERE d.project_id = ? AND d.anonymous_id = ?', [t.projectId, anonymousId]))[0]
    const eventsOf = async (pk: unknown) => rows('SELECT * FROM events WHERE user_pk = ? ORDER BY timestamp, id', [pk])
    const json = async (r: Response) => ({ status: r.status, body: await r.json() as any })

    it('stores an anonymous page view as a profile, a device and an event', async () => {
      const a = uid('anon')
      const r = await json(await batch([{ type: 'page', anonymousId: a, name: 'Home', messageId: uid('m'), timestamp: iso(T0), context: { userAgent: CHROME_LINUX, locale: 'fr-FR', timezone: 'Europe/Paris', screen: { width: 1440, height: 900 } } }]))
      expect(r).toEqual({ status: 200, body: { success: true, accepted: 1, rejected: [] } })
      const user = await profileOfDevice(a)
      expect(user).toMatchObject({ user_id: null, anonymous_id: a, first_seen: T0, last_seen: T0, sessions: 1, events_count: 1 })
      const [device] = await rows('SELECT * FROM devices WHERE project_id = ? AND anonymous_id = ?', [t.projectId, a])
      expect(device).toMatchObject({ browser: 'Chrome', os: 'Linux', device_type: 'desktop', language: 'fr-FR', timezone: 'Europe/Paris', screen: '1440x900' })
      const [event] = await eventsOf(user.id)
      expect(event).toMatchObject({ type: 'page', name: '$page', anonymous_id: a })
      expect(JSON.parse(String(event.properties))).toEqual({ name: 'Home' })
    })

    it('merges the anonymous history into the identified profile on identify', async () => {
      const [phone, laptop, user] = [uid('phone'), uid('laptop'), uid('user')]
      // The user exists already, seen on a laptop, with an older plan.
      await batch([
        { type: 'identify', anonymousId: laptop, userId: user, traits: { plan: 'free', email: 'old@example.com' }, messageId: uid('m'), timestamp: iso(T0 + 1000) },
        { type: 'track', anonymousId: laptop, userId: user, event: 'opened', messageId: uid('m'), timestamp: iso(T0 + 2000) },
      ])
      // Meanwhile an anonymous visitor browses on a phone, and sets a newer plan.
      await batch([
        { type: 'page', anonymousId: phone, messageId: uid('m'), timestamp: iso(T0 - 60_000), context: { userAgent: IPHONE } },
        { type: 'track', anonymousId: phone, event: 'viewed_pricing', messageId: uid('m'), timestamp: iso(T0 + 3000) },
        { type: 'identify', anonymousId: phone, traits: { plan: 'pro', color: 'blue' }, messageId: uid('m'), timestamp: iso(T0 + 4000) },
      ])
      const anonymous = await profileOfDevice(phone)
      const before = await profileOf(user)
      expect(anonymous.id).not.toBe(before.id)
      await t.db.execute({ sql: `INSERT INTO tags (project_id, name, color, created_at) VALUES (?, ?, 'red', 0)`, args: [t.projectId, uid('tag')] })
      await t.db.execute({ sql: `INSERT INTO user_tags (project_id, user_pk, tag_id, created_at) SELECT ?, ?, max(id), 0 FROM tags`, args: [t.projectId, anonymous.id] })

      const r = await json(await batch([{ type: 'identify', anonymousId: phone, userId: user, messageId: uid('m'), timestamp: iso(T0 + 5000) }]))
      expect(r.body.accepted).toBe(1)

      const merged = await profileOf(user)
      expect(merged.id).toBe(before.id)
      expect(await rows('SELECT id FROM users WHERE id = ?', [anonymous.id])).toHaveLength(0)
      expect(merged).toMatchObject({ first_seen: T0 - 60_000, sessions: 2, events_count: 3, email: 'old@example.com' })
      expect(JSON.parse(String(merged.attributes))).toEqual({ plan: 'pro', color: 'blue' })
      const names = (await eventsOf(merged.id)).map((e) => e.name)
      expect(names).toEqual(['$page', '$identify', 'opened', 'viewed_pricing', '$identify', '$identify'])
      const devices = await rows('SELECT anonymous_id FROM devices WHERE user_pk = ? ORDER BY anonymous_id', [merged.id])
      expect(devices.map((d) => d.anonymous_id).sort()).toEqual([laptop, phone].sort())
      expect(await rows('SELECT * FROM user_tags WHERE user_pk = ?', [merged.id])).toHaveLength(1)
      expect(await rows('SELECT * FROM user_tags WHERE user_pk = ?', [anonymous.id])).toHaveLength(0)
    })

    it('gives the identified user id to a still-anonymous profile without creating a second one', async () => {
      const [a, u] = [uid('a'), uid('u')]
      await batch([{ type: 'track', anonymousId: a, event: 'signup_started', messageId: uid('m'), timestamp: iso(T0) }])
      const anonymous = await profileOfDevice(a)
      await batch([{ type: 'identify', anonymousId: a, userId: u, traits: { email: 'new@example.com' }, messageId: uid('m'), timestamp: iso(T0 + 10) }])
      const identified = await profileOf(u)
      expect(identified).toMatchObject({ id: anonymous.id, email: 'new@example.com' })
      expect((await eventsOf(identified.id)).map((e) => e.name)).toEqual(['signup_started', '$identify'])
    })

    it('converges concurrent identifies of several anonymous devices on one profile', async () => {
      const u = uid('u')
      const devices = Array.from({ length: 6 }, () => uid('dev'))
      await Promise.all(devices.map((d, i) => batch([{ type: 'track', anonymousId: d, event: 'browse', messageId: uid('m'), timestamp: iso(T0 + i) }])))
      const answers = await Promise.all(devices.map((d, i) => batch([{ type: 'identify', anonymousId: d, userId: u, messageId: uid('m'), timestamp: iso(T0 + 100 + i) }])))
      expect(answers.map((r) => r.status)).toEqual(devices.map(() => 200))
      const profiles = await rows('SELECT id FROM users WHERE project_id = ? AND user_id = ?', [t.projectId, u])
      expect(profiles).toHaveLength(1)
      const owners = await rows(`SELECT DISTINCT user_pk FROM devices WHERE project_id = ? AND anonymous_id IN (${devices.map(() => '?').join(',')})`, [t.projectId, ...devices])
      expect(owners).toEqual([{ user_pk: profiles[0].id }])
      expect(await eventsOf(profiles[0].id)).toHaveLength(12)
      expect(await rows(`SELECT id FROM users WHERE project_id = ? AND anonymous_id IN (${devices.map(() => '?').join(',')}) AND id <> ?`, [t.projectId, ...devices, profiles[0].id])).toHaveLength(0)
    })

    it('stores a retried batch once and counts it once', async () => {
      const a = uid('a')
      const items = [1, 2, 3].map((i) => ({ type: 'track', anonymousId: a, event: 'clicked', messageId: uid('m'), timestamp: iso(T0 + i), properties: { i } }))
      for (let attempt = 0; attempt < 3; attempt++) expect((await json(await batch(items))).body.accepted).toBe(3)
      // The same message ids split differently across requests are still duplicates.
      await batch([items[2], items[0]])
      const user = await profileOfDevice(a)
      expect(await eventsOf(user.id)).toHaveLength(3)
      expect(user.events_count).toBe(3)
    })

    it('stores the good items of a batch and reports the bad one by index, code and field', async () => {
      const a = uid('a')
      const r = await json(await batch([
        { type: 'track', anonymousId: a, event: 'ok_1', messageId: uid('m') },
        { type: 'track', anonymousId: a, event: '', messageId: uid('m') },
        { type: 'track', anonymousId: a, event: 'ok_2', messageId: uid('m') },
        { type: 'launch', anonymousId: a, messageId: uid('m') },
        { type: 'track', event: 'no_id', messageId: uid('m') },
        'not a message',
        { type: 'identify', anonymousId: a, traits: [1, 2], messageId: uid('m') },
      ]))
      expect(r.status).toBe(200)
      expect(r.body.accepted).toBe(2)
      expect(r.body.rejected.map((x: any) => [x.index, x.code, x.field])).toEqual([
        [1, 'invalid_field', 'event'],
        [3, 'invalid_type', 'type'],
        [4, 'missing_id', 'userId'],
        [5, 'invalid_message', undefined],
        [6, 'invalid_field', 'traits'],
      ])
      for (const x of r.body.rejected) expect(typeof x.message).toBe('string')
      const user = await profileOfDevice(a)
      expect((await eventsOf(user.id)).map((e) => e.name)).toEqual(['ok_1', 'ok_2'])
    })

    it.each(['undefined', 'null', 'NULL', '0', '[object Object]', '', '   ', 'x'.repeat(256)])('refuses the junk id %j with a reason', async (junk) => {
      const r = await json(await post('/v1/track', { writeKey: t.writeKey, userId: junk, event: 'e' }))
      expect(r.status).toBe(400)
      expect(r.body.error).toMatchObject({ code: 'invalid_id', field: 'userId' })
    })

    it('accepts an id of exactly 255 characters', async () => {
      const r = await post('/v1/track', { writeKey: t.writeKey, userId: 'u'.repeat(250) + uid('').slice(-5), event: 'e' })
      expect(r.status).toBe(200)
    })

    it('refuses a message without any id', async () => {
      const r = await json(await post('/v1/identify', { writeKey: t.writeKey, traits: { a: 1 } }))
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'missing_id', field: 'userId' } } })
    })

    it('accepts a message just under 32 KB and refuses one just over', async () => {
      const sized = (bytes: number) => {
        const m = { type: 'track', anonymousId: uid('a'), event: 'big', messageId: uid('m'), properties: { pad: '' } }
        m.properties.pad = 'x'.repeat(bytes - JSON.stringify(m).length)
        expect(JSON.stringify(m).length).toBe(bytes)
        return m
      }
      const ok = await json(await batch([sized(LIMITS.messageBytes)]))
      expect(ok.body).toMatchObject({ accepted: 1, rejected: [] })
      const over = await json(await batch([sized(LIMITS.messageBytes + 1)]))
      expect(over.body.rejected[0]).toMatchObject({ index: 0, code: 'message_too_large' })
      const single = await json(await post('/v1/track', { writeKey: t.writeKey, ...sized(LIMITS.messageBytes + 1) }))
      expect(single).toMatchObject({ status: 413, body: { error: { code: 'message_too_large' } } })
    })

    it('accepts a request just under 500 KB and refuses one just over', async () => {
      const body = (bytes: number) => {
        const items = Array.from({ length: 20 }, () => ({ type: 'track', anonymousId: uid('a'), event: 'bulk', messageId: uid('m'), properties: { pad: 'x'.repeat(20_000) } }))
        const b = { writeKey: t.writeKey, batch: items, pad: '' }
        b.pad = 'y'.repeat(bytes - JSON.stringify(b).length)
        return JSON.stringify(b)
      }
      const ok = await json(await post('/v1/batch', body(LIMITS.requestBytes)))
      expect(ok).toMatchObject({ status: 200, body: { accepted: 20 } })
      const over = await json(await post('/v1/batch', body(LIMITS.requestBytes + 1)))
      expect(over).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } })
    })

    it('counts a streamed body without Content-Length against the same limit', async () => {
      const stream = (text: string) => new ReadableStream({
        start(controller) {
          const bytes = new TextEncoder().encode(text)
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024))
          controller.close()
        },
      })
      const a = uid('a')
      const small = JSON.stringify({ writeKey: t.writeKey, batch: [{ type: 'track', anonymousId: a, event: 'streamed', messageId: uid('m') }] })
      const ok = await t.fetch('/v1/batch', { method: 'POST', body: stream(small), duplex: 'half' } as RequestInit)
      expect(ok.status).toBe(200)
      const big = JSON.stringify({ writeKey: t.writeKey, batch: [{ type: 'track', anonymousId: a, event: 'too_big', messageId: uid('m') }], pad: 'z'.repeat(LIMITS.requestBytes) })
      const refused = await json(await t.fetch('/v1/batch', { method: 'POST', body: stream(big), duplex: 'half' } as RequestInit))
      expect(refused).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } })
      expect((await eventsOf((await profileOfDevice(a)).id)).map((e) => e.name)).toEqual(['streamed'])
    })

    it('accepts 2,500 messages in a batch and refuses 2,501', async () => {
      const items = (count: number) => Array.from({ length: count }, (_, i) => ({ type: 'track', anonymousId: 'bulk-' + tier, event: 'e', messageId: `${uid('b')}-${i}` }))
      const ok = await json(await batch(items(LIMITS.batchMessages)))
      expect(ok.body).toMatchObject({ accepted: 2500, rejected: [] })
      const over = await json(await batch(items(LIMITS.batchMessages + 1)))
      expect(over).toMatchObject({ status: 413, body: { error: { code: 'too_many_messages', field: 'batch' } } })
    })

    it.each([
      ['{"writeKey": "x", ', 'invalid_json'],
      ['', 'invalid_json'],
      ['[1,2]', 'invalid_body'],
      ['"text"', 'invalid_body'],
    ])('answers the malformed body %j with 400 %s', async (body, code) => {
      const r = await json(await post('/v1/batch', body))
      expect(r).toMatchObject({ status: 400, body: { error: { code } } })
    })

    it('refuses a missing or unknown write key with 401', async () => {
      expect(await json(await post('/v1/track', { anonymousId: 'a', event: 'e' }))).toMatchObject({ status: 401, body: { error: { code: 'missing_write_key', field: 'writeKey' } } })
      expect(await json(await post('/v1/track', { writeKey: 'wk_nope', anonymousId: 'a', event: 'e' }))).toMatchObject({ status: 401, body: { error: { code: 'invalid_write_key' } } })
      expect(await json(await post('/v1/batch', { writeKey: t.writeKey }))).toMatchObject({ status: 400, body: { error: { code: 'missing_field', field: 'batch' } } })
    })

    it('takes the write key as the HTTP Basic user and text/plain bodies (sendBeacon)', async () => {
      const a = uid('a')
      const basic = await post('/v1/track', { anonymousId: a, event: 'basic', messageId: uid('m') }, { authorization: 'Basic ' + btoa(t.writeKey + ':') })
      expect(basic.status).toBe(200)
      const beacon = await t.fetch('/v1/batch', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ writeKey: t.writeKey, batch: [{ type: 'track', anonymousId: a, event: 'beacon', messageId: uid('m') }] }) })
      expect(beacon.status).toBe(200)
      expect((await eventsOf((await profileOfDevice(a)).id)).map((e) => e.name).sort()).toEqual(['basic', 'beacon'])
    })

    it('records the source of attributes: SDK for the write key, API for the secret key', async () => {
      const u = uid('u')
      await post('/v1/identify', { writeKey: t.writeKey, userId: u, traits: { fromBrowser: 1 }, timestamp: iso(T0) })
      await post('/v1/identify', { userId: u, traits: { fromServer: 2 }, timestamp: iso(T0 + 1) }, { authorization: 'Basic ' + btoa(t.secretKey + ':') })
      const meta = JSON.parse(String((await profileOf(u)).attribute_meta))
      expect(meta.fromBrowser).toEqual({ s: 'SDK', t: T0 })
      expect(meta.fromServer).toEqual({ s: 'API', t: T0 + 1 })
    })

    it('corrects client clock skew with sentAt and clamps timestamps more than 23 hours ahead', async () => {
      const a = uid('a')
      // The device clock is 2 hours fast: what it says happened 5 s before sending did.
      const deviceNow = Date.now() + 2 * 3600_000
      const H = 3600_000
      await batch([
        { type: 'track', anonymousId: a, event: 'skewed', messageId: uid('m'), timestamp: iso(deviceNow - 5000) },
        { type: 'track', anonymousId: a, event: 'ahead', messageId: uid('m'), timestamp: iso(deviceNow + 22 * H) },
        { type: 'track', anonymousId: a, event: 'future', messageId: uid('m'), timestamp: iso(deviceNow + 24 * H) },
      ], { sentAt: iso(deviceNow) })
      const events = await rows('SELECT name, timestamp - received_at AS offset FROM events WHERE anonymous_id = ? ORDER BY id', [a])
      expect(events).toEqual([{ name: 'skewed', offset: -5000 }, { name: 'ahead', offset: 22 * H }, { name: 'future', offset: 0 }])
    })

    it('counts a new session after 30 minutes without activity, and by the snippet session id', async () => {
      const a = uid('a')
      const at = (min: number) => iso(T0 + min * 60_000)
      await batch([0, 10, 39, 70, 71].map((min) => ({ type: 'track', anonymousId: a, event: 'tick', messageId: uid('m'), timestamp: at(min) })))
      expect((await profileOfDevice(a)).sessions).toBe(2)
      const b = uid('b')
      await batch(['s1', 's1', 's2', 's2', 's3'].map((sessionId, i) => ({ type: 'page', anonymousId: b, messageId: uid('m'), timestamp: at(i), context: { sessionId } })))
      expect((await profileOfDevice(b)).sessions).toBe(3)
    })

    it('maps native traits, Jimo-style keys, setOnce and unset', async () => {
      const u = uid('u')
      await post('/v1/identify', { writeKey: t.writeKey, userId: u, traits: { 'user:email': 'Ann@Example.com', 'user:name': 'Ann', plan: 'pro', seats: 3, beta: true, nested: { a: [1, 'x'] } }, setOnce: { signup_source: 'ads' }, timestamp: iso(T0) })
      await post('/v1/identify', { writeKey: t.writeKey, userId: u, traits: { plan: 'team' }, setOnce: { signup_source: 'organic', first_plan: 'pro' }, unset: ['beta'], timestamp: iso(T0 + 1) })
      // setOnce alone, on an identify and on a track: no other trait, and still a profile update.
      await post('/v1/identify', { writeKey: t.writeKey, userId: u, setOnce: { first_plan: 'free', referrer: 'newsletter' }, timestamp: iso(T0 + 2) })
      await post('/v1/track', { writeKey: t.writeKey, userId: u, event: 'viewed', setOnce: { first_page: '/pricing' }, timestamp: iso(T0 + 3) })
      const p = await profileOf(u)
      expect(p).toMatchObject({ email: 'Ann@Example.com', name: 'Ann' })
      expect(JSON.parse(String(p.attributes))).toEqual({ plan: 'team', seats: 3, nested: { a: [1, 'x'] }, signup_source: 'ads', first_plan: 'pro', referrer: 'newsletter', first_page: '/pricing' })
      const meta = JSON.parse(String(p.attribute_meta))
      expect(meta.beta).toBeUndefined()
      expect(meta.email).toEqual({ s: 'SDK', t: T0 })
    })

    it('takes the user id from a Jimo-style user:id trait', async () => {
      const [a, u] = [uid('a'), uid('u')]
      await post('/v1/identify', { writeKey: t.writeKey, anonymousId: a, traits: { 'user:id': u } })
      expect((await profileOfDevice(a)).user_id).toBe(u)
    })

    it('folds the previous identity into the user on alias', async () => {
      const [old, u] = [uid('old'), uid('new')]
      await post('/v1/track', { writeKey: t.writeKey, userId: old, event: 'before', timestamp: iso(T0) })
      await post('/v1/track', { writeKey: t.writeKey, userId: u, event: 'after', timestamp: iso(T0 + 1) })
      expect((await json(await post('/v1/alias', { writeKey: t.writeKey, previousId: old, userId: u, timestamp: iso(T0 + 2) }))).status).toBe(200)
      const p = await profileOf(u)
      expect(await profileOf(old)).toBeUndefined()
      expect((await eventsOf(p.id)).map((e) => e.name)).toEqual(['before', 'after', '$alias'])
      // Later calls with the old id land on the same profile.
      await post('/v1/track', { writeKey: t.writeKey, userId: old, event: 'later', timestamp: iso(T0 + 3) })
      expect((await eventsOf(p.id)).map((e) => e.name)).toContain('later')
      expect(await rows('SELECT count(*) AS n FROM users WHERE project_id = ? AND user_id IN (?, ?)', [t.projectId, old, u])).toEqual([{ n: 1 }])
    })

    it('stores the group id and its traits as the company attribute', async () => {
      const u = uid('u')
      await post('/v1/group', { writeKey: t.writeKey, userId: u, groupId: 'acme-1', traits: { name: 'Acme', employees: 40 } })
      expect(JSON.parse(String((await profileOf(u)).attributes))).toEqual({ company: { id: 'acme-1', name: 'Acme', employees: 40 } })
    })

    it('records experience interactions and survey answers from reserved events', async () => {
      const u = uid('u')
      const r = await json(await batch([
        { type: 'track', userId: u, event: '$experience', properties: { id: 'tour-1', name: 'Welcome tour', action: 'seen', step: 1, steps: 5 }, timestamp: iso(T0) },
        { type: 'track', userId: u, event: '$experience', properties: { id: 'tour-1', action: 'seen', step: 3, steps: 5 }, timestamp: iso(T0 + 1) },
        { type: 'track', userId: u, event: '$experience', properties: { id: 'nps', action: 'seen' }, timestamp: iso(T0 + 2) },
        { type: 'track', userId: u, event: '$response', properties: { experience: 'nps', step: 1, question: 'How likely…?', answer: 9 }, timestamp: iso(T0 + 3) },
        { type: 'track', userId: u, event: '$experience', properties: { id: 'nps', action: 'exploded' } },
        { type: 'track', userId: u, event: '$response', properties: { step: 1 } },
      ]))
      expect(r.body.rejected.map((x: any) => [x.index, x.field])).toEqual([[4, 'properties.action'], [5, 'properties.experience']])
      const p = await profileOf(u)
      expect(p.experiences_seen).toBe(2)
      expect(await rows('SELECT experience_id, action, step, steps FROM interactions WHERE user_pk = ? ORDER BY timestamp', [p.id])).toEqual([
        { experience_id: 'tour-1', action: 'seen', step: 1, steps: 5 },
        { experience_id: 'tour-1', action: 'seen', step: 3, steps: 5 },
        { experience_id: 'nps', action: 'seen', step: null, steps: null },
      ])
      expect(await rows('SELECT experience_id, question, answer FROM responses WHERE user_pk = ?', [p.id])).toEqual([{ experience_id: 'nps', question: 'How likely…?', answer: '9' }])
    })

    it('answers CORS preflights and refuses origins the project does not allow', async () => {
      const pre = await t.fetch('/v1/batch', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } })
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example')
      const ok = await post('/v1/track', { writeKey: t.writeKey, anonymousId: uid('a'), event: 'e' }, { origin: 'https://shop.example' })
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example')
      await patchSettings(t, { allowedOrigins: ['https://shop.example'] })
      try {
        const a = uid('a')
        const refused = await json(await post('/v1/track', { writeKey: t.writeKey, anonymousId: a, event: 'e' }, { origin: 'https://evil.example' }))
        expect(refused).toMatchObject({ status: 403, body: { error: { code: 'origin_not_allowed' } } })
        expect(await profileOfDevice(a)).toBeUndefined()
      } finally {
        await patchSettings(t, { allowedOrigins: ['*'] })
      }
    })
  })
}

/** Identity verification (F-08), per runtime: the project's mode is switched in the database. */
export function verificationContract(tier: string, setup: () => Promise<CollectorTarget>) {
  describe(`identity verification (${tier})`, () => {
    let t: CollectorTarget
    beforeAll(async () => { t = await setup() })
    afterAll(async () => { await t?.close() })
    const mode = (m: string) => patchSettings(t, { verification: m })
    const hmac = async (secret: string, id: string) => {
      const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      return Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(id))).toString('hex')
    }
    const identify = async (userId: string, userHash?: string, auth?: string) => {
      const r = await t.fetch('/v1/identify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: 'Basic ' + btoa(auth + ':') } : {}) },
        body: JSON.stringify({ ...(auth ? {} : { writeKey: t.writeKey }), userId, traits: { plan: 'x' }, context: userHash === undefined ? {} : { userHash } }),
      })
      return { status: r.status, body: await r.json() as any }
    }
    const stored = async (userId: string) => (await t.db.execute({ sql: 'SELECT 1 FROM users WHERE project_id = ? AND user_id = ?', args: [t.projectId, userId] })).rows.length

    it('refuses unsigned, wrongly signed and other-secret identifies when required, and takes the signed one', async () => {
      await mode('required')
      expect(await identify('v-unsigned')).toMatchObject({ status: 400, body: { error: { code: 'verification_required', field: 'context.userHash' } } })
      expect(await identify('v-wrong', await hmac(t.secretKey, 'someone-else'))).toMatchObject({ status: 400, body: { error: { code: 'invalid_user_hash' } } })
      expect(await identify('v-other', await hmac('sk_another_project_secret', 'v-other'))).toMatchObject({ status: 400, body: { error: { code: 'invalid_user_hash' } } })
      expect(await identify('v-signed', await hmac(t.secretKey, 'v-signed'))).toMatchObject({ status: 200 })
      expect([await stored('v-unsigned'), await stored('v-wrong'), await stored('v-other'), await stored('v-signed')]).toEqual([0, 0, 0, 1])
      // The server API, with the secret key, needs no hash.
      expect(await identify('v-server', undefined, t.secretKey)).toMatchObject({ status: 200 })
    })

    it('checks a hash that is sent in optional mode, and ignores hashes when off', async () => {
      await mode('optional')
      expect((await identify('o-none')).status).toBe(200)
      expect((await identify('o-wrong', 'beef')).status).toBe(400)
      await mode('off')
      expect((await identify('f-wrong', 'beef')).status).toBe(200)
    })
  })
}
