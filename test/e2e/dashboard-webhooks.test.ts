import type { Page } from 'playwright-core'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { webhookReceiver } from '../helpers/webhook-receiver.js'

const HOSTILE = '<img src=x onerror=alert(1)> CRM'

/** Webhooks in Settings: an admin adds one (the secret shows once), a delivery arrives and the log replays it. */
describe('webhooks in the dashboard', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>
  let segmentId: number
  /** The endpoint's current signing secret, as the page showed it. */
  let signing = ''
  const settings = () => `${server.url}/p/${server.projectId}/settings`
  const call = (method: string, path: string, body?: unknown) =>
    page.evaluate(async ([m, p, b]) => {
      const r = await fetch(p, { method: m, headers: { 'content-type': 'application/json' }, body: b })
      return { status: r.status, body: r.status === 204 ? null : await r.json() }
    }, [method, `/api/projects/${server.projectId}${path}`, body === undefined ? undefined : JSON.stringify(body)] as const)

  beforeAll(async () => {
    // The receiver listens on 127.0.0.1: a private target, allowed as JIMER_WEBHOOKS_ALLOW_PRIVATE=1 would.
    server = await startDashboardServer({ webhooksAllowPrivate: true })
    receiver = await webhookReceiver()
    await server.send([{ type: 'identify', userId: 'hook-user', anonymousId: 'jimer-hook', traits: { email: 'hook@example.com', name: 'Hook User' } }])
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
    segmentId = (await call('POST', '/segments', { name: 'Hooked list', kind: 'static' })).body.id
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await receiver?.close()
  })

  it('adds a webhook and shows its signing secret once', async () => {
    await page.goto(settings())
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Webhooks' }) })
    await card.getByRole('button', { name: 'Add webhook' }).click()
    const form = page.getByRole('dialog', { name: 'Add a webhook' })
    await form.getByLabel('Endpoint URL').fill(receiver.url)
    await form.getByLabel('Description').fill(HOSTILE)
    await form.getByLabel('Only these:').check()
    await form.getByLabel('Hooked list').check()
    await shot(page, 'webhooks-form')
    await form.getByRole('button', { name: 'Add webhook' }).click()
    const secret = await card.getByLabel('Signing secret', { exact: true }).inputValue()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    await expect.poll(() => card.getByTestId('webhook-row').allTextContents()).toEqual([expect.stringContaining(receiver.url)])
    const row = card.getByTestId('webhook-row')
    // The description is text, not markup.
    expect(await row.textContent()).toContain(HOSTILE)
    expect(await row.textContent()).toContain('Hooked list')
    expect(await row.locator('img').count()).toBe(0)
    await card.scrollIntoViewIfNeeded()
    await shot(page, 'webhooks-card-secret')

    // Never again: not after a reload, not in any answer.
    await page.reload()
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor()
    await expect.poll(() => page.getByTestId('webhook-row').count()).toBe(1)
    expect(await page.getByLabel('Signing secret', { exact: true }).count()).toBe(0)
    expect(await page.content()).not.toContain(secret)
    expect(JSON.stringify((await call('GET', '/webhooks')).body)).not.toContain('whsec_')

    // Rotating shows the new one, once.
    await page.getByRole('button', { name: `Rotate the secret of ${receiver.url}` }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click()
    const rotated = await page.getByLabel('Signing secret', { exact: true }).inputValue()
    expect(rotated).toMatch(/^whsec_/)
    expect(rotated).not.toBe(secret)
    signing = rotated
  })

  it('lists a delivery with its status, attempts and response time, and replays it', async () => {
    const user = Number((await server.rows('SELECT id FROM users WHERE user_id = ?', ['hook-user']))[0].id)
    expect((await call('POST', `/segments/${segmentId}/members`, { ids: [user] })).status).toBe(200)
    await expect.poll(() => receiver.delivered().length).toBe(1)
    await page.getByRole('button', { name: `Deliveries to ${receiver.url}` }).click()
    const log = page.getByRole('dialog', { name: `Deliveries to ${receiver.url}` })
    await expect.poll(() => log.getByTestId('delivery-row').allTextContents()).toEqual([expect.stringMatching(/Entered.*Hooked list.*hook-user.*Delivered.*HTTP 200.*1.*\d+ ms/)])
    await shot(page, 'webhooks-log')
    await log.getByRole('button', { name: /^Replay delivery/ }).click()
    await expect.poll(() => receiver.delivered().length).toBe(2)
    expect(receiver.delivered()[1].id).toBe(receiver.delivered()[0].id)
    const r = receiver.delivered()[1]
    expect(new Webhook(signing).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature })).toMatchObject({ type: 'segment.entered' })
    // The log refreshes itself while a delivery is pending (every second).
    await expect.poll(() => log.getByTestId('delivery-row').allTextContents(), { timeout: 5_000 }).toEqual([
      expect.stringMatching(/Entered.*replay.*Delivered/), expect.stringMatching(/Entered.*Delivered/),
    ])
    await shot(page, 'webhooks-log-replayed')
  })

  it('shows why an endpoint was disabled, and enables it again', async () => {
    // A day of failures, as deliver.ts records it (the API test drives the clock through it).
    await server.rows(`UPDATE webhook_endpoints SET enabled = 0, failing_since = 1, disabled_reason = 'every delivery failed for 24 hours (since 2026-12-01T08:00:00Z); last error: HTTP 503'`)
    await page.goto(settings())
    const row = page.getByTestId('webhook-row')
    await row.getByText('every delivery failed for 24 hours').waitFor()
    expect(await row.textContent()).toContain('Disabled')
    await row.scrollIntoViewIfNeeded()
    await shot(page, 'webhooks-card-disabled')
    await page.getByRole('button', { name: `Enable ${receiver.url}` }).click()
    await expect.poll(() => row.textContent()).toMatch(/Enabled/)
    expect(await row.textContent()).not.toContain('every delivery failed')
    expect((await call('GET', '/webhooks')).body.webhooks[0]).toMatchObject({ enabled: true, disabledReason: null, failingSince: null })
  })
})
