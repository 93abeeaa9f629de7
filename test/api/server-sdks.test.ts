// Issue 14: server SDKs as they come from npm, against the real Node server over HTTP.
// @rudderstack/rudder-sdk-node gzips every batch; @segment/analytics-node sends JSON.
import RudderAnalytics from '@rudderstack/rudder-sdk-node'
import { Analytics } from '@segment/analytics-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNode } from '../../worker/src/node.js'

interface Seen { path: string; encoding?: string; body: Buffer; status: number }

/**
 * A pass-through proxy in front of Jimer that can deliver a request twice (the first
 * answer "lost" on the way back, as when a connection drops): what the SDK sent is kept.
 */
async function startProxy(target: string) {
  const seen: Seen[] = []
  let duplicateNext = false
  const forward = (req: { method?: string; url?: string; headers: Record<string, unknown> }, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((ok, fail) => {
      const out = request(target + req.url, { method: req.method, headers: req.headers as never }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c)).on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
      })
      out.on('error', fail).end(body)
    })
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c)).on('end', async () => {
      const body = Buffer.concat(chunks)
      if (duplicateNext) {
        duplicateNext = false
        await forward(req, body)
      }
      const answer = await forward(req, body)
      seen.push({ path: req.url!, encoding: req.headers['content-encoding'], body, status: answer.status })
      res.writeHead(answer.status, answer.headers as never).end(answer.body)
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    duplicateNext: () => void (duplicateNext = true),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}

describe('server SDKs from npm against the Node server', { timeout: 60_000 }, () => {
  let node: Awaited<ReturnType<typeof startNode>>
  let proxy: Awaited<ReturnType<typeof startProxy>>
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jimer-sdks-'))
    node = await startNode({ dbPath: join(dir, 'jimer.db'), port: 0, adminPassword: 'sdk test password', collectorLimits: false })
    proxy = await startProxy(node.url)
  })
  afterAll(async () => {
    await proxy?.close()
    await node?.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const rows = async (sql: string, args: unknown[] = []) => (await node.client.execute({ sql, args: args as never })).rows
  const profileOf = async (userId: string) => (await rows('SELECT * FROM users WHERE project_id = ? AND user_id = ?', [node.boot.projectId, userId]))[0]

  it('stores a RudderStack gzip batch once, though it arrives twice', async () => {
    const rudder = new RudderAnalytics(node.boot.writeKey, { dataPlaneUrl: proxy.url, flushAt: 100, flushInterval: 3_600_000, logLevel: 'error' })
    // The SDK sends its first message at once and queues the rest: the first request arrives twice.
    proxy.duplicateNext()
    rudder.identify({ userId: 'rs-1', anonymousId: 'rs-anon-1', traits: { email: 'rs@example.com', plan: 'team' } })
    rudder.track({ userId: 'rs-1', event: 'Order Completed', properties: { total: 30 }, integrations: { All: true } })
    rudder.page({ anonymousId: 'rs-anon-1', name: 'Checkout' })
    await rudder.flush()

    const sent = proxy.seen.filter((s) => s.path === '/v1/batch')
    expect(sent.map((s) => [s.encoding, s.status])).toEqual(sent.map(() => ['gzip', 200]))
    const batch = sent.flatMap((s) => JSON.parse(gunzipSync(s.body).toString()).batch as { messageId: string }[])
    expect(batch).toHaveLength(3)
    const stored = await rows(`SELECT name, integrations FROM events WHERE project_id = ? AND message_id IN (${batch.map(() => '?').join(',')}) ORDER BY name`, [node.boot.projectId, ...batch.map((m) => m.messageId)])
    expect(stored.map((e) => e.name)).toEqual(['$identify', '$page', 'Order Completed'])
    expect(JSON.parse(String(stored[2].integrations))).toEqual({ All: true })
    const profile = await profileOf('rs-1')
    expect(profile).toMatchObject({ email: 'rs@example.com', events_count: 2 })
    expect(JSON.parse(String(profile.attributes))).toEqual({ plan: 'team' })
  })

  it('stores what @segment/analytics-node sends, as before', async () => {
    const segment = new Analytics({ writeKey: node.boot.writeKey, host: proxy.url, flushAt: 10, flushInterval: 3_600_000 })
    segment.identify({ userId: 'sg-node-1', traits: { name: 'Noor', seats: 12 } })
    segment.track({ userId: 'sg-node-1', event: 'Seat Added', properties: { seats: 12 } })
    await segment.closeAndFlush()
    const profile = await profileOf('sg-node-1')
    expect(profile).toMatchObject({ name: 'Noor', events_count: 1 })
    expect(JSON.parse(String(profile.attributes))).toEqual({ seats: 12 })
  })
})
