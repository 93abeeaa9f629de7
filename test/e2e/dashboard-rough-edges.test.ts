// Issue 14, item 7: the rough edges a new user hit, each fixed and held here in Chromium
// against the real server: the tag picker, the sign-in page's console, the segment key,
// unsaved changes, segment pills that open Explain, Settings' attributes in use, Responses.
import type { ConsoleMessage, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'

describe('dashboard rough edges (Chromium)', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const consoleErrors: string[] = []
  const rowOf = (name: string) => page.locator('tr.user-row', { hasText: name })

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    browser = await openBrowser()
    page = await browser.page()
    page.on('console', (m: ConsoleMessage) => void (m.type() === 'error' && consoleErrors.push(m.text())))
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('opens the sign-in page without a failed request in the console', async () => {
    await page.goto(`${server.url}/`)
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(consoleErrors).toEqual([])
    await signIn(page, server.url)
    await expect.poll(() => page.getByTestId('users-found').textContent()).toMatch(/users found/)
    expect(consoleErrors).toEqual([])
  })

  it('opens the tag picker from a row without scrolling the table, says what a click did, and keeps the focus', async () => {
    const wrap = page.locator('.table-wrap')
    const scrollWidth = await wrap.evaluate((e) => e.scrollWidth)
    await rowOf('Ann Archer').getByRole('button', { name: 'Add a tag to Ann Archer' }).click()
    const search = page.getByLabel('Search or create a tag')
    await search.fill('Champion')
    await search.press('Enter')
    await expect.poll(() => rowOf('Ann Archer').locator('.tags-cell > .tag-pill').allTextContents()).toEqual(['Champion'])
    await rowOf('Ann Archer').getByRole('button', { name: 'Add a tag to Ann Archer' }).click()
    // The panel lies over the page: the table neither grew nor scrolled.
    expect(await wrap.evaluate((e) => [e.scrollLeft, e.scrollWidth])).toEqual([0, scrollWidth])
    const option = page.getByRole('option', { name: /Champion/ })
    expect(await option.getAttribute('aria-selected')).toBe('true')
    await option.hover()
    await shot(page, 'tag-picker-remove')
    await option.click()
    await expect.poll(() => page.locator('.tag-search [role=status]').textContent()).toBe('Removed “Champion”')
    await expect.poll(() => rowOf('Ann Archer').locator('.tags-cell > .tag-pill').count()).toBe(0)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search or create a tag')
    await page.getByRole('option', { name: /Champion/ }).click()
    await expect.poll(() => page.locator('.tag-search [role=status]').textContent()).toBe('Added “Champion”')
    await expect.poll(() => rowOf('Ann Archer').locator('.tags-cell > .tag-pill').allTextContents()).toEqual(['Champion'])
    await page.keyboard.press('Escape')
  })

  it('saves the key the placeholder shows, and asks before dropping unsaved edits', async () => {
    // In-app navigation, as a person goes: the back button then stays inside the app.
    await page.getByRole('navigation', { name: 'Users and segments' }).getByRole('link', { name: 'Segments' }).click()
    await page.getByRole('link', { name: 'New Segment' }).first().click()
    await page.getByLabel('Name', { exact: true }).fill('Big spenders EUR')
    await page.getByRole('radio', { name: /Manual/ }).click()
    expect(await page.getByLabel('Key').getAttribute('placeholder')).toBe('big-spenders-eur')
    await page.getByRole('button', { name: 'Create segment' }).click()
    await expect.poll(() => page.getByLabel('Key').inputValue()).toBe('big-spenders-eur')

    await page.getByLabel('Description').fill('Orders over 100 EUR')
    await page.locator('.back-link').click()
    const dialog = page.getByRole('dialog', { name: 'Discard unsaved changes?' })
    await dialog.waitFor()
    await shot(page, 'segment-unsaved-changes')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await page.getByLabel('Description').inputValue()).toBe('Orders over 100 EUR')
    expect(new URL(page.url()).pathname).toMatch(/\/segments\/\d+$/)
    // The back button asks too (history.back(): the app puts the URL back, so Playwright's goBack would wait for a load).
    await page.evaluate(() => history.back())
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Discard changes' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/p/${server.projectId}/segments`)
  })

  it('opens Explain for a segment from its pill on the profile', async () => {
    const [seg] = await server.rows(`SELECT id FROM segments WHERE key = 'big-spenders-eur'`)
    const [ann] = await server.rows(`SELECT id FROM users WHERE user_id = 'ann'`)
    await page.evaluate(async ([p, s, u]) => {
      const r = await fetch(`/api/projects/${p}/segments/${s}/members`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userIds: ['ann'] }) })
      if (!r.ok) throw new Error(`add member: ${r.status} ${await r.text()} (${u})`)
    }, [server.projectId, Number(seg.id), Number(ann.id)] as const)
    await page.goto(`${server.url}/p/${server.projectId}/users?user=${ann.id}`)
    const pill = page.locator('a.seg-pill', { hasText: 'Big spenders EUR' })
    await pill.click()
    await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe('explain')
    expect(await page.getByLabel('Segment to explain').inputValue()).toBe(String(seg.id))
    await page.locator('.verdict').waitFor()
    await shot(page, 'explain-from-pill')
  })

  it('shows experience names on Responses, and no $experience / $response among raw events', async () => {
    await page.getByRole('button', { name: 'Responses' }).click()
    await expect.poll(() => page.locator('.response-head').first().textContent()).toContain('NPS Q3')
    await shot(page, 'responses-names')
    await page.getByRole('button', { name: 'Events' }).click()
    const types = await page.getByLabel('Event type').locator('option').allTextContents()
    expect(types).toContain('order_placed')
    expect(types.filter((t) => t.startsWith('$experience') || t.startsWith('$response'))).toEqual([])
  })

  it('lists a user imported by email with their name and "never", after everyone active', async () => {
    const [{ secret_key: secret }] = await server.rows('SELECT secret_key FROM projects WHERE id = ?', [server.projectId])
    const r = await fetch(`${server.url}/api/projects/${server.projectId}/imports?match=email`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'text/csv' }, body: 'email,name\nnora@example.com,Nora Never\n',
    })
    expect(r.status).toBe(201)
    await page.goto(`${server.url}/p/${server.projectId}/users`)
    const row = rowOf('Nora Never')
    expect(await row.locator('.user-name').textContent()).toBe('Nora Never')
    expect(await row.locator('.col-activity').textContent()).toBe('never')
    // Last in the list: never-seen users sort after every active one.
    expect((await page.locator('tr.user-row .user-name').allTextContents()).at(-1)).toBe('Nora Never')
    await row.locator('.user-name').click()
    await expect.poll(() => page.locator('.profile-name').textContent()).toContain('Nora Never')
    await shot(page, 'never-seen-user')
    await page.getByRole('button', { name: 'Close profile' }).click()
  })

  it('lists the attributes in use that nobody declared in Settings, and declares one in a click', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/settings`)
    const inUse = page.getByRole('table', { name: 'In use, not declared' })
    await expect.poll(async () => (await inUse.locator('td.mono').allTextContents()).sort()).toEqual(expect.arrayContaining(['beta', 'country', 'plan', 'seats', 'signup']))
    expect(await page.getByText('None declared yet').textContent()).toMatch(/in use, below/)
    await shot(page, 'settings-attributes-in-use')
    await page.getByRole('button', { name: 'Declare seats as Number' }).click()
    await expect.poll(() => server.rows(`SELECT key, type FROM attribute_definitions`)).toEqual([expect.objectContaining({ key: 'seats', type: 'number' })])
    await expect.poll(() => inUse.locator('td.mono').allTextContents()).not.toContain('seats')
  })
})
