import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'
import { webhookReceiver } from '../helpers/webhook-receiver.js'

describe('membership follows a dashboard tag at once; the ledger and the webhook log show it (Chromium)', () => {
  let server: DashboardServer
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>
  let browser: DashboardBrowser
  let page: Page
  let segmentId: number
  const panel = () => page.getByRole('complementary', { name: 'User profile' })
  const tab = (name: string) => panel().getByRole('navigation', { name: 'Profile sections' }).getByRole('button', { name })

  beforeAll(async () => {
    // The receiver listens on 127.0.0.1: a private target, allowed as JIMER_WEBHOOKS_ALLOW_PRIVATE=1 would.
    server = await startDashboardServer({ webhooksAllowPrivate: true })
    receiver = await webhookReceiver()
    await seed(server)
    const [{ secret_key: secret }] = await server.rows('SELECT secret_key FROM projects')
    const api = async (path: string, body: unknown) => {
      const r = await fetch(`${server.url}/api/projects/${server.projectId}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`)
      return r.json() as Promise<any>
    }
    const tag = await api('/tags', { name: 'VIP' })
    segmentId = (await api('/segments', { name: 'VIPs', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'tag', operator: 'has_any', tagIds: [tag.id] }] } } })).id
    await api('/webhooks', { url: receiver.url, description: 'CRM', segmentIds: [segmentId] })
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await receiver?.close()
  })

  it('tagging a user puts the segment pill on the profile and the count on the segment, with no wait', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/users`)
    await page.locator('tr.user-row', { hasText: 'Ann Archer' }).click()
    await expect.poll(() => panel().locator('.profile-name').textContent()).toBe('Ann Archer')
    expect(await panel().locator('.seg-pill').count()).toBe(0)
    await panel().getByRole('button', { name: 'Tag user' }).click()
    await page.getByPlaceholder('Search or create a tag…').fill('VIP')
    await page.getByRole('option', { name: /VIP/ }).first().click()
    await expect.poll(() => panel().locator('.tags-line').textContent()).toContain('VIP')
    await expect.poll(() => panel().locator('.seg-pill').allTextContents()).toEqual([expect.stringContaining('VIPs')])
    // The stored membership, not a preview: the row and the count were written before the answer.
    const [row] = await server.rows('SELECT member_count FROM segments WHERE id = ?', [segmentId])
    expect(Number(row.member_count)).toBe(1)

    await tab('Segments').click()
    const history = panel().getByRole('list', { name: 'Segment history' })
    await expect.poll(() => history.textContent()).toContain('EnteredVIPs')
    expect(await history.textContent()).toContain('tag')
    await shot(page, 'profile-segment-history')
  })

  it('the segment shows its count, the entry in its ledger and the day\'s bar', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/segments`)
    await expect.poll(() => page.locator('tr', { hasText: 'VIPs' }).locator('td.num').textContent()).toBe('1')
    await page.getByRole('link', { name: 'VIPs' }).click()
    const ledger = page.getByRole('region', { name: 'Entries and exits' })
    await expect.poll(() => ledger.locator('.ledger li').allTextContents()).toEqual([expect.stringMatching(/^Entered\s*Ann Archer\s*tag/)])
    await expect.poll(() => ledger.locator('.ledger-totals').textContent()).toMatch(/1 entered\s*0 left in the last 30 days/)
    expect(await ledger.getByRole('img').getAttribute('aria-label')).toBe('Entered: 1, Left: 0 over 30 days')
    await ledger.scrollIntoViewIfNeeded()
    await shot(page, 'segment-ledger')
  })

  it('the entry went out as a segment.entered webhook, and the Settings delivery log shows it delivered', async () => {
    await expect.poll(() => receiver.delivered().map((r) => JSON.parse(r.body).type)).toEqual(['segment.entered'])
    const payload = JSON.parse(receiver.delivered()[0].body)
    expect(payload.data).toMatchObject({ segment: { id: segmentId, name: 'VIPs' }, user: { id: 'ann' }, cause: 'tag' })
    await page.goto(`${server.url}/p/${server.projectId}/settings`)
    await page.getByRole('button', { name: `Deliveries to ${receiver.url}` }).click()
    const log = page.getByRole('dialog', { name: `Deliveries to ${receiver.url}` })
    await expect.poll(() => log.getByTestId('delivery-row').allTextContents()).toEqual([expect.stringMatching(/Entered.*VIPs.*ann.*Delivered.*HTTP 200/)])
    await shot(page, 'membership-webhook-log')
  })
})
