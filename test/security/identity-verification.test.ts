import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userHash } from '../../worker/src/auth/user-hash.js'
import { testApp } from '../helpers/test-app.js'

/**
 * F-08 across a secret-key rotation (issue 7 item 6): in "required" mode, hashes signed with
 * the old secret keep working for the 24-hour overlap and stop after it, for the collector
 * and for targeting by user id alike. (Unsigned, wrongly signed and other-project hashes are
 * refused in test/contract/collector-contract.ts, on every runtime tier.)
 */
describe('identity verification across a secret rotation', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let oldSecret: string
  let newSecret: string
  const admin = (path: string, body: unknown, secret: string) => t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
    method: path === '/settings' ? 'PATCH' : 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify(body),
  })
  const identify = async (userId: string, secret: string | null, messageId: string) => t.app.request('/v1/identify', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ writeKey: t.boot.writeKey, userId, messageId, traits: { plan: 'pro' }, context: secret === null ? {} : { userHash: await userHash(secret, userId) } }),
  })
  const target = async (userId: string, secret: string) =>
    t.app.request(`/v1/segments?writeKey=${t.boot.writeKey}&userId=${userId}&userHash=${await userHash(secret, userId)}`)

  beforeAll(async () => {
    t = await testApp()
    oldSecret = t.secretKey
    expect((await admin('/settings', { verification: 'required' }, oldSecret)).status).toBe(204)
    const rotated = await admin('/settings/rotate', { key: 'secret' }, oldSecret)
    newSecret = (await rotated.json() as { secretKey: string }).secretKey
  })
  afterAll(() => t.dispose())

  it('takes hashes of both secrets during the overlap, and of the new one only after it', async () => {
    expect((await identify('ann', null, 'v1')).status).toBe(400)
    expect((await identify('ann', newSecret, 'v2')).status).toBe(200)
    expect((await identify('ann', oldSecret, 'v3')).status).toBe(200)
    expect((await target('ann', oldSecret)).status).toBe(200)
    expect((await target('ann', newSecret)).status).toBe(200)
    t.clock.advance(24 * 3600_000 + 1)
    const late = await identify('ann', oldSecret, 'v4')
    expect(late.status).toBe(400)
    expect((await late.json() as { error: { code: string } }).error.code).toBe('invalid_user_hash')
    expect((await target('ann', oldSecret)).status).toBe(401)
    expect((await identify('ann', newSecret, 'v5')).status).toBe(200)
    expect((await target('ann', newSecret)).status).toBe(200)
    const stored = (await t.db.execute(`SELECT message_id FROM events ORDER BY id`)).rows.map((r) => r.message_id)
    expect(stored).toEqual(['v2', 'v3', 'v5'])
  })
})
