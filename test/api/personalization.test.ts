import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userHash } from '../../worker/src/auth/user-hash.js'
import { testApp } from '../helpers/test-app.js'

describe('personalization: the visitor\'s readable attributes (GET /v1/attributes)', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const admin = (method: string, path: string, body?: unknown) =>
    Promise.resolve(t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` },
    })).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : (await r.json()) as any }))
  const read = (query: string) => Promise.resolve(t.app.request(`/v1/attributes?${query}`)).then(async (r) => ({ status: r.status, cache: r.headers.get('cache-control'), body: (await r.json()) as any }))
  const send = (batch: unknown[]) => t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })

  beforeAll(async () => {
    t = await testApp()
    await send([{ type: 'identify', userId: 'ann', anonymousId: 'dev-ann', traits: { firstName: 'Ann', plan: 'pro', score: 97, ssn: '123-45-6789', email: 'ann@acme.io' } }])
    await admin('POST', '/attributes', { key: 'firstName', type: 'string', readable: true })
    await admin('POST', '/attributes', { key: 'plan', type: 'string', readable: true })
    await admin('POST', '/attributes', { key: 'score', type: 'number' })
  })
  afterAll(() => t.dispose())

  it('answers the Jimer ID\'s own readable attributes, and nothing else it holds', async () => {
    const r = await read(`writeKey=${t.boot.writeKey}&anonymousId=dev-ann`)
    expect(r).toEqual({ status: 200, cache: 'no-store', body: { attributes: { firstName: 'Ann', plan: 'pro' } } })
    // Unknown visitors (a Jimer ID no profile holds yet) read as nobody.
    expect((await read(`writeKey=${t.boot.writeKey}&anonymousId=nobody-yet`)).body).toEqual({ attributes: {} })
  })

  it('declares "readable" in Settings: listed, patched, off by default, and in the audit log', async () => {
    expect((await admin('GET', '/attributes')).body.attributes.map((a: any) => [a.key, a.readable])).toEqual([['firstName', true], ['plan', true], ['score', false]])
    expect((await admin('PATCH', '/attributes/plan', { readable: false })).status).toBe(204)
    expect((await read(`writeKey=${t.boot.writeKey}&anonymousId=dev-ann`)).body.attributes).toEqual({ firstName: 'Ann' })
    // A patch of another field leaves the flag as it is.
    await admin('PATCH', '/attributes/firstName', { constraints: { note: 'greeting' } })
    expect((await read(`writeKey=${t.boot.writeKey}&anonymousId=dev-ann`)).body.attributes).toEqual({ firstName: 'Ann' })
    await admin('PATCH', '/attributes/plan', { readable: true })
    const log = (await admin('GET', '/audit?objectType=attribute')).body.entries
    expect(log[0]).toMatchObject({ action: 'attribute.update', objectId: 'plan', summary: { after: { readable: true } } })
    expect((await admin('PATCH', '/attributes/plan', { readable: 'yes' }))).toMatchObject({ status: 400, body: { error: { field: 'readable' } } })
  })

  it('asks by user id with the same rules as targeting: the HMAC, or a read key', async () => {
    expect((await read(`writeKey=${t.boot.writeKey}&userId=ann`))).toMatchObject({ status: 401, body: { error: { code: 'verification_required', field: 'userHash' } } })
    expect((await read(`writeKey=${t.boot.writeKey}&userId=ann&userHash=${'0'.repeat(64)}`))).toMatchObject({ status: 401, body: { error: { code: 'invalid_user_hash' } } })
    const hash = await userHash(t.secretKey, 'ann')
    expect((await read(`writeKey=${t.boot.writeKey}&userId=ann&userHash=${hash}`)).body.attributes).toEqual({ firstName: 'Ann', plan: 'pro' })
    expect((await read(`writeKey=${t.secretKey}&userId=ann`)).body.attributes).toEqual({ firstName: 'Ann', plan: 'pro' })
    expect((await read('anonymousId=dev-ann')).status).toBe(401)
    expect((await read('writeKey=wk_nope&anonymousId=dev-ann')).status).toBe(401)
    expect((await read(`writeKey=${t.boot.writeKey}`))).toMatchObject({ status: 400, body: { error: { code: 'missing_id' } } })
  })

  it('answers a disabled user with nothing, as targeting answers no segments', async () => {
    const pk = Number((await t.db.execute("SELECT id FROM users WHERE user_id = 'ann'")).rows[0].id)
    await admin('PATCH', `/users/${pk}`, { status: 'disabled' })
    expect((await read(`writeKey=${t.boot.writeKey}&anonymousId=dev-ann`)).body.attributes).toEqual({})
    await admin('PATCH', `/users/${pk}`, { status: 'active' })
  })

  it('never sends an attribute that is not declared readable, whatever the profile holds (property)', async () => {
    const key: fc.Arbitrary<string> = fc.constantFrom('firstName', 'plan', 'score', 'ssn', 'token', '__proto__', 'constructor', 'toString', 'a.b', 'say "hi"', 'é')
    let n = 0
    await fc.assert(fc.asyncProperty(
      fc.dictionary(key, fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 })), { minKeys: 1 }),
      fc.uniqueArray(key, { maxLength: 5 }),
      async (traits, readable) => {
        const userId = `p-${n++}`
        await send([{ type: 'identify', userId, anonymousId: `dev-${userId}`, traits }])
        await t.db.execute({ sql: 'DELETE FROM attribute_definitions WHERE project_id = ?', args: [t.boot.projectId] })
        for (const k of readable) await t.db.execute({ sql: "INSERT INTO attribute_definitions (project_id, key, type, readable, created_at) VALUES (?, ?, 'string', 1, 0)", args: [t.boot.projectId, k] })
        const stored = JSON.parse(String((await t.db.execute({ sql: 'SELECT attributes FROM users WHERE user_id = ?', args: [userId] })).rows[0].attributes))
        const r = await read(`writeKey=${t.boot.writeKey}&anonymousId=dev-${userId}`)
        expect(r.status).toBe(200)
        const expected = Object.fromEntries(Object.entries(stored).filter(([k]) => readable.includes(k)))
        expect(Object.keys(r.body.attributes).sort()).toEqual(Object.keys(expected).sort())
        expect(r.body.attributes).toEqual(expected)
      },
    ), { numRuns: 60 })
  })
})
