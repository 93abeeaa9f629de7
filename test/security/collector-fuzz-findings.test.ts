import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../../worker/src/ingest/limits.js'
import { testApp } from '../helpers/test-app.js'

/**
 * What the collector fuzzer (collector-fuzz.test.ts) found, one case each, so that a
 * regression fails here by name rather than as one body among 100,000.
 */
describe('collector bugs found by fuzzing', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let n = 0
  const uid = (p: string) => `${p}-${++n}`
  beforeAll(async () => { t = await testApp() })
  afterAll(() => t?.dispose())

  /** Posts raw text or bytes, so that bodies JSON.stringify cannot write can be sent. */
  const post = async (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
    const r = await t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as BodyInit })
    return { status: r.status, body: await r.json() as any }
  }
  const wk = () => JSON.stringify(t.boot.writeKey)
  const rows = async (sql: string, args: unknown[] = []) => (await t.db.execute({ sql, args: args as never })).rows

  it('answers 400 for an object with a `length` key where text belongs (zod min/max threw inside on it)', async () => {
    const evil = '{"length":{"toString":1}}'
    for (const body of [
      `{"writeKey":${wk()},"userId":"${uid('len')}","event":${evil}}`,
      `{"writeKey":${wk()},"userId":"${uid('len')}","event":"e","sentAt":${evil}}`,
      `{"writeKey":${wk()},"userId":"${uid('len')}","event":"$response","properties":{"experience":"x","answer":${evil}}}`,
    ]) {
      const r = await post('/v1/track', body)
      expect(r.status, body).toBe(400)
    }
    const admin = await t.app.request(`/api/projects/${t.boot.projectId}/segments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` }, body: `{"name":${evil}}` })
    expect(admin.status).toBe(400)
  })

  it('keeps __proto__, constructor and prototype keys as data, on the profile and on the event', async () => {
    const u = uid('proto')
    const traits = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":1}'
    expect((await post('/v1/identify', `{"writeKey":${wk()},"userId":"${u}","traits":${traits}}`)).status).toBe(200)
    const [user] = await rows('SELECT attributes FROM users WHERE user_id = ?', [u])
    expect(Object.entries(JSON.parse(String(user.attributes)))).toEqual(Object.entries(JSON.parse(traits)))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('stores NUL and unpaired surrogates in free text and keys as U+FFFD, which SQLite reads back whole', async () => {
    const u = uid('text')
    const r = await post('/v1/identify', `{"writeKey":${wk()},"userId":"${u}","traits":{"lone\\uD800":"a\\u0000b","k":"\\uDC00","name":"Ann\\u0000"}}`)
    expect(r.status).toBe(200)
    // Before: json_each handed the client invalid UTF-8 and the libSQL client panicked, ending the process.
    const read = await rows(`SELECT j.key, j.value FROM users, json_each(users.attributes) j WHERE users.user_id = ? ORDER BY j.key`, [u])
    expect(read.map((x) => [x.key, x.value])).toEqual([['k', '\ufffd'], ['lone\ufffd', 'a\ufffdb']])
    expect((await rows('SELECT name FROM users WHERE user_id = ?', [u]))[0].name).toBe('Ann\ufffd')
  })

  it.each([
    ['a NUL', '"nul\\u0000id"'],
    ['an unpaired surrogate', '"lone\\uD800"'],
    ['a control character', '"tab\\tid"'],
    ['a number past 2^53', '9007199254740993'],
    ['a number JSON.parse writes with an exponent', '1e21'],
  ])('refuses a user id with %s instead of storing another id', async (_, id) => {
    const r = await post('/v1/track', `{"writeKey":${wk()},"userId":${id},"event":"e"}`)
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'invalid_id', field: 'userId' } } })
  })

  it('refuses an id that arrives as invalid UTF-8 (two ids would become one U+FFFD)', async () => {
    const bytes = new TextEncoder().encode(`{"writeKey":${wk()},"userId":"bad#","event":"e"}`)
    bytes[bytes.indexOf(0x23)] = 0xff
    expect(await post('/v1/track', bytes)).toMatchObject({ status: 400, body: { error: { code: 'invalid_id', field: 'userId' } } })
  })

  it('refuses message ids that are damaged, inexact or longer than an id, counted in UTF-16 units', async () => {
    for (const id of ['"m\\u0000"', '9007199254740993', JSON.stringify('😀'.repeat(128))]) {
      const r = await post('/v1/track', `{"writeKey":${wk()},"anonymousId":"${uid('a')}","event":"e","messageId":${id}}`)
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'invalid_id', field: 'messageId' } } })
    }
  })

  it('accepts 64 levels of nesting, and refuses 65 or 100,000 with too_deep on the field (not a 500 or a 503)', async () => {
    const deep = (levels: number) => '{"a":'.repeat(levels - 2) + '{}' + '}'.repeat(levels - 2)
    const send = (field: string, levels: number) => post('/v1/track', `{"writeKey":${wk()},"anonymousId":"${uid('a')}","event":"e",${JSON.stringify(field)}:${deep(levels)}}`)
    expect((await send('properties', LIMITS.jsonDepth)).status).toBe(200)
    expect(await send('properties', LIMITS.jsonDepth + 1)).toMatchObject({ status: 400, body: { error: { code: 'too_deep', field: 'properties' } } })
    expect(await send('traits', 1100)).toMatchObject({ status: 400, body: { error: { code: 'too_deep', field: 'traits' } } })
    expect(await send('', 5000)).toMatchObject({ status: 400, body: { error: { code: 'too_deep', field: '""' } } })
    const array = '['.repeat(100_000) + ']'.repeat(100_000)
    expect(await post('/v1/batch', `{"writeKey":${wk()},"batch":[{"type":"track","anonymousId":"a","event":"e","properties":{"x":${array}}}]}`))
      .toMatchObject({ status: 200, body: { accepted: 0, rejected: [{ index: 0, code: 'too_deep', field: 'properties' }] } })
  })

  it('counts the bytes of a body whose Content-Length lies', async () => {
    const body = `{"writeKey":${wk()},"batch":[],"pad":"${'x'.repeat(LIMITS.requestBytes)}"}`
    expect(await post('/v1/batch', body, { 'content-length': '10' })).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } })
  })

  it('answers a body that breaks off with 400 incomplete_body', async () => {
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"writeKey":')); c.error(new Error('reset')) } })
    const r = await t.app.request('/v1/batch', { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect({ status: r.status, body: await r.json() }).toMatchObject({ status: 400, body: { error: { code: 'incomplete_body' } } })
  })

  it('inflates a gzip body, and stops a gzip bomb at the limit with 413', async () => {
    const bomb = gzipSync('0'.repeat(16 * 1024 * 1024))
    expect(await post('/v1/batch', bomb, { 'content-encoding': 'gzip' })).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } })
    const small = gzipSync(`{"writeKey":${wk()},"batch":[]}`)
    expect(await post('/v1/batch', small, { 'content-encoding': 'gzip' })).toMatchObject({ status: 200, body: { accepted: 0 } })
  })

  it('stores the rest of a batch when one message reuses the message id of another, new visitor', async () => {
    const [first, second, m] = [uid('first'), uid('second'), uid('m')]
    await post('/v1/track', `{"writeKey":${wk()},"anonymousId":"${first}","event":"e","messageId":"${m}"}`)
    // Before: the duplicate's profile was never created, its event insert broke NOT NULL, and the batch was a 503 on every retry.
    const r = await post('/v1/batch', JSON.stringify({ writeKey: t.boot.writeKey, batch: [
      { type: 'track', anonymousId: second, event: 'e', messageId: m }, { type: 'track', anonymousId: second, event: 'other', messageId: uid('m') },
    ] }))
    expect(r).toMatchObject({ status: 200, body: { accepted: 2, rejected: [] } })
    expect((await rows('SELECT e.name FROM events e JOIN devices d ON d.user_pk = e.user_pk WHERE d.anonymous_id = ?', [second])).map((e) => e.name)).toEqual(['other'])
    expect(await rows('SELECT * FROM events WHERE message_id = ?', [m])).toHaveLength(1)
  })

  it('folds the whole profile when alias names it through an older alias', async () => {
    const [old, known, target] = [uid('old'), uid('known-as'), uid('target')]
    await post('/v1/track', `{"writeKey":${wk()},"userId":"${old}","anonymousId":"${uid('a')}","event":"e"}`)
    await post('/v1/alias', `{"writeKey":${wk()},"previousId":"${known}","userId":"${old}"}`)
    await post('/v1/alias', `{"writeKey":${wk()},"previousId":"${known}","userId":"${target}"}`)
    // Before: the alias moved first, the old profile was no longer found, and it kept its counts and devices without its events.
    expect(await rows('SELECT id FROM users WHERE user_id = ?', [old])).toHaveLength(0)
    const [user] = await rows('SELECT id, events_count FROM users WHERE user_id = ?', [target])
    expect(user.events_count).toBe(1)
    expect(await rows('SELECT id FROM devices WHERE user_pk = ?', [user.id])).toHaveLength(1)
    expect((await rows('SELECT alias FROM aliases WHERE user_pk = ?', [user.id])).map((a) => a.alias)).toContain(known)
  })
})
