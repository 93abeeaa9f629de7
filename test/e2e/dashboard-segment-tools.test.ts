import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'

const tree = (...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic: 'and', conditions } })

describe('the segment simulator, edit impact, history and readable attributes, in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const ids: Record<string, number> = {}
  /** Calls the admin API from the signed-in page, as the dashboard does. */
  const call = (method: string, path: string, body?: unknown) =>
    page.evaluate(async ([m, u, b]) => {
      const res = await fetch(u, { method: m, headers: { 'content-type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) })
      return res.status === 204 ? null : await res.json()
    }, [method, `/api/projects/${server.projectId}${path}`, body] as const) as Promise<any>

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
    ids.pro = (await call('POST', '/segments', { name: 'Pro users', conditions: tree({ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }) })).id
    ids.proFr = (await call('POST', '/segments', { name: 'Pro in France', targetable: true, key: 'pro-fr', conditions: tree({ type: 'segment', operator: 'in', segmentId: ids.pro }, { type: 'attribute', key: 'country', operator: 'is', value: 'FR' }) })).id
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('simulates a typed profile live: which segments, and why, per condition', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/segments`)
    await page.getByRole('link', { name: /Simulator/ }).click()
    const summary = page.getByTestId('simulator-summary')
    // The form starts as a pro user: in "Pro users", not in France.
    await expect.poll(() => summary.textContent()).toBe('In 1 of 2 segments')
    await page.getByRole('button', { name: 'Add attribute' }).click()
    await page.getByLabel('Attribute 2 key').fill('country')
    await page.getByLabel('Attribute 2 value').fill('FR')
    await expect.poll(() => summary.textContent()).toBe('In 2 of 2 segments')
    const fr = page.getByTestId('sim-result').filter({ hasText: 'Pro in France' })
    expect(await fr.locator('.explain-leaf').allTextContents()).toEqual([expect.stringContaining('in segment "Pro users"'), expect.stringContaining('country is "FR"')])
    await shot(page, 'segment-simulator')
    await page.getByLabel('Attribute 1 value').fill('free')
    await expect.poll(() => summary.textContent()).toBe('In 0 of 2 segments')
    expect(await fr.locator('.explain-leaf.fail').count()).toBe(1)
  })

  it('shows what saving an edit would do, with samples that open the profile and the composing segment\'s change', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/segments/${ids.pro}`)
    await page.getByLabel('plan value').fill('enterprise')
    const line = page.getByTestId('impact-line')
    await expect.poll(() => line.textContent()).toBe('+2 will enter, −5 will leave')
    const panel = page.getByRole('region', { name: 'If you save' })
    expect((await panel.locator('.impact-sample li').allTextContents()).slice(0, 2).sort()).toEqual(['Dan Dorsey', 'Ivy Ito'])
    expect(await panel.locator('.impact-composers li').textContent()).toContain('Pro in France+0 −2')
    await shot(page, 'segment-edit-impact')
    const [profile] = await Promise.all([browser.context.waitForEvent('page'), panel.getByRole('link', { name: 'Dan Dorsey' }).click()])
    await profile.locator('.profile-name').getByText('Dan Dorsey').waitFor()
    await profile.close()
    // Saving does what the panel said.
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect.poll(async () => (await call('GET', `/segments/${ids.pro}`)).memberCount).toBe(2)
    // The save commits before its answer reaches the page (the answer waits for membership to follow): the card goes with the answer.
    await expect.poll(() => line.count()).toBe(0)
  })

  it('shows the history with each change in words, and restores a version through the impact preview', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/segments/${ids.pro}`)
    const items = page.getByTestId('history-item')
    await expect.poll(() => items.count()).toBe(2)
    expect(await items.nth(0).locator('.history-changes li').allTextContents()).toEqual(['removed ALL of › plan is “pro”', 'added ALL of › plan is “enterprise”'])
    expect(await items.nth(0).textContent()).toContain('2 members')
    expect(await items.nth(1).textContent()).toContain('Version 1')
    await items.nth(1).getByRole('button', { name: 'Restore' }).click()
    expect(await page.getByLabel('plan value').inputValue()).toBe('pro')
    await expect.poll(() => page.getByTestId('impact-line').textContent()).toBe('+5 will enter, −2 will leave')
    await page.getByRole('region', { name: 'History' }).scrollIntoViewIfNeeded()
    await shot(page, 'segment-history')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect.poll(() => items.count()).toBe(3)
    expect(await items.nth(0).locator('.history-changes li').allTextContents()).toEqual(['removed ALL of › plan is “enterprise”', 'added ALL of › plan is “pro”'])
  })

  it('marks a declared attribute readable in the browser from Settings', async () => {
    await call('POST', '/attributes', { key: 'plan', type: 'string' })
    await page.goto(`${server.url}/p/${server.projectId}/settings`)
    const box = page.getByLabel('plan readable in the browser')
    expect(await box.isChecked()).toBe(false)
    await box.click()
    await expect.poll(async () => (await call('GET', '/attributes')).attributes.find((a: any) => a.key === 'plan').readable).toBe(true)
    await page.getByRole('region', { name: 'Custom attributes' }).or(page.locator('section[aria-labelledby="attrs-title"]')).first().scrollIntoViewIfNeeded()
    await expect.poll(() => box.isChecked()).toBe(true)
    await shot(page, 'settings-readable-attributes')
  })
})
