import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'

describe('the Duplicates screen: merge and undo, in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    // Ann again, from her work login: the same email once the +tag and case are set aside.
    await server.send([{ type: 'identify', userId: 'ann-work', anonymousId: 'anon-ann-work', traits: { email: ' Ann+work@Example.com', name: 'Ann at work', team: 'design' } }])
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('groups the two profiles, merges them into the one kept, and undoes the merge', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/users`)
    await page.getByRole('link', { name: 'Duplicates' }).click()
    const group = page.getByTestId('duplicate-group')
    await expect.poll(() => group.count()).toBe(1)
    expect(await group.locator('.badge').allTextContents()).toEqual(['same email ann@example.com'])
    expect(await group.getByRole('radio', { name: /Keep Ann Archer/ }).isChecked()).toBe(true)
    await shot(page, 'duplicates')
    await group.getByRole('button', { name: 'Merge into Ann Archer' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Merge' }).click()
    await expect.poll(() => group.count()).toBe(0)
    const record = page.getByTestId('merge-record')
    await expect.poll(() => record.first().textContent()).toContain('Ann at work into Ann Archer')
    const profiles = async () => (await server.rows("SELECT user_id FROM users WHERE user_id IN ('ann', 'ann-work') ORDER BY user_id")).map((r) => r.user_id)
    expect(await profiles()).toEqual(['ann'])
    await shot(page, 'duplicates-merged')
    await record.first().getByRole('button', { name: 'Undo' }).click()
    await expect.poll(() => group.count()).toBe(1)
    expect(await profiles()).toEqual(['ann', 'ann-work'])
    await expect.poll(() => record.first().textContent()).toContain('undone')
  })
})
