import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'

describe('the segment editor and the profile panel in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const panel = () => page.getByRole('complementary', { name: 'User profile' })
  const hub = () => page.getByRole('navigation', { name: 'Users and segments' })
  const tab = (name: string) => panel().getByRole('navigation', { name: 'Profile sections' }).getByRole('button', { name })

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('builds a segment with an event aggregate and shows the live count before saving', async () => {
    await page.getByRole('link', { name: 'New Segment' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Big spenders')
    await page.getByRole('button', { name: 'Add...' }).click()
    await page.getByRole('menuitem', { name: 'Events' }).click()
    await page.getByRole('menuitem', { name: 'order_placed' }).click()
    await page.getByLabel('Event measure').selectOption('sum')
    await page.getByLabel('Property to aggregate').fill('total')
    await page.getByLabel('Event value').fill('100')
    // Ben alone has spent 100 or more.
    await expect.poll(() => page.getByTestId('preview-count').textContent()).toBe('1')
    await expect.poll(() => page.locator('.preview-sample').textContent()).toContain('Ben Brook')
    await shot(page, 'segment-editor')
    await page.getByRole('button', { name: 'Create segment' }).click()
    await expect.poll(() => page.url()).toMatch(/\/segments\/\d+$/)
    await expect.poll(() => page.locator('.members').textContent()).toContain('Ben Brook')
    await expect.poll(() => page.getByTestId('segments-count').count()).toBe(0) // the editor has no tab bar
    await page.locator('.back-link').click()
    await expect.poll(() => hub().getByTestId('segments-count').textContent()).toBe('1')
  })

  it('opens a profile beside the list: cards, attributes with a search, devices', async () => {
    await hub().getByRole('link', { name: 'Users' }).click()
    await page.locator('tr.user-row', { hasText: 'Ann Archer' }).click()
    await expect.poll(() => panel().locator('.profile-name').textContent()).toBe('Ann Archer')
    expect(await page.locator('tr.user-row').count()).toBeGreaterThan(5) // the list stays visible
    const cards = await panel().locator('.metric-label').allTextContents()
    expect(cards).toEqual(['First seen', 'Last seen', 'Experiences seen', 'Sessions', 'Events'])
    expect(await panel().locator('.metric', { hasText: 'Experiences seen' }).locator('.metric-value').textContent()).toBe('1')
    await expect.poll(() => panel().locator('.attributes').textContent()).toContain('country')
    expect(await panel().locator('table', { hasText: 'Browser' }).textContent()).toContain('Chrome')
    await shot(page, 'profile-overview')
    await panel().getByLabel('Search attributes').fill('plan')
    expect(await panel().locator('.attributes tbody tr').allTextContents()).toEqual(['planproSDK'])
  })

  it('tags the user from the profile ("Search or create a tag…"), and the tag shows in the list', async () => {
    await panel().getByRole('button', { name: 'Tag user' }).click()
    await page.getByPlaceholder('Search or create a tag…').fill('VIP')
    await shot(page, 'profile-tag-picker')
    await page.getByPlaceholder('Search or create a tag…').press('Enter')
    await expect.poll(() => panel().locator('.tags-line').textContent()).toContain('VIP')
    await expect.poll(() => page.locator('tr.user-row', { hasText: 'Ann Archer' }).locator('.tags-cell').textContent()).toContain('VIP')
    // The same tag from another row, picked from the list this time.
    const ben = page.locator('tr.user-row', { hasText: 'Ben Brook' })
    await ben.hover()
    await ben.getByRole('button', { name: 'Add a tag to Ben Brook' }).click()
    await page.getByRole('option', { name: 'VIP' }).click()
    await expect.poll(() => ben.locator('.tags-cell').textContent()).toContain('VIP')
    await page.keyboard.press('Escape')
  })

  it('filters the list by tag (Properties › Tags)', async () => {
    await page.getByRole('button', { name: 'Close profile' }).click()
    await page.locator('.builder-foot').getByRole('button', { name: 'Add...' }).click()
    await page.getByRole('menuitem', { name: 'Properties' }).click()
    await page.getByRole('menuitem', { name: 'Tags' }).click()
    await page.getByRole('button', { name: 'Add a tag to this condition' }).click()
    await page.getByRole('menuitem', { name: 'VIP' }).click()
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.getByTestId('users-found').textContent()).toBe('2 users found')
    await page.getByLabel('Tags operator').selectOption('has_none')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.getByTestId('users-found').textContent()).toBe('14 users found')
    await page.getByRole('button', { name: 'Clear' }).click()
    await page.locator('tr.user-row', { hasText: 'Ann Archer' }).click()
  })

  it('explains a segment the user is not in, down to the failing condition', async () => {
    await tab('Explain').click()
    await panel().getByLabel('Segment to explain').selectOption({ label: 'Big spenders' })
    await expect.poll(() => panel().locator('.verdict').textContent()).toContain('Not in “Big spenders”')
    const leaf = panel().locator('tr.explain-leaf')
    await expect.poll(() => leaf.textContent()).toContain('sum(order_placed.total) ≥ 100')
    expect(await leaf.locator('td').allTextContents()).toEqual(['sum(order_placed.total) ≥ 100', '87', '100', 'Fail'])
    await shot(page, 'profile-explain')
  })

  it('lists events newest first with their payload, a chart per day, and the last hour', async () => {
    await tab('Events').click()
    await panel().locator('.chart-canvas canvas').waitFor()
    const first = panel().locator('.event').first()
    await expect.poll(() => first.locator('.event-name').textContent()).toBe('Page view: Settings')
    await first.locator('summary').click()
    expect(await first.locator('pre').first().textContent()).toContain('"name": "Settings"')
    await panel().getByRole('radio', { name: '7 days' }).click()
    await panel().locator('.chart-canvas[aria-label$="over 7 days"] canvas').waitFor()
    await shot(page, 'profile-events')
    await panel().getByLabel('Period', { exact: true }).selectOption('hour')
    await expect.poll(() => panel().locator('.event-name').allTextContents()).toEqual(['Page view: Settings'])
    await panel().getByLabel('Event type').selectOption('order_placed')
    await expect.poll(() => panel().locator('.event-list, .empty-state').first().textContent()).toContain('No events')
  })

  it('shows experience activity ("3/5 steps") and survey responses', async () => {
    await tab('Activity').click()
    await expect.poll(() => panel().locator('table').textContent()).toContain('3/5 steps')
    await shot(page, 'profile-activity')
    await tab('Responses').click()
    await expect.poll(() => panel().locator('.response').textContent()).toContain('How likely are you to recommend us?')
    expect(await panel().locator('.answer').textContent()).toBe('9')
  })

  it('adds the user to a new static segment with "Create it?", then removes them', async () => {
    await tab('Segments').click()
    await panel().getByLabel('Search static segments').fill('Beta testers')
    await panel().getByRole('button', { name: 'Create it?' }).click()
    const row = panel().locator('.member-of li', { hasText: 'Beta testers' })
    await expect.poll(() => row.count()).toBe(1)
    await expect.poll(() => hub().getByTestId('segments-count').textContent()).toBe('2')
    await shot(page, 'profile-segments')
    await row.getByRole('button', { name: 'Remove' }).click()
    await expect.poll(() => row.count()).toBe(0)
  })

  it('exports everything about the user as JSON', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      (async () => {
        await panel().getByRole('button', { name: 'More actions' }).click()
        await page.getByRole('menuitem', { name: 'Export JSON' }).click()
      })(),
    ])
    // Built by the server, whole (F-37), and named by it.
    const [{ id }] = await server.rows(`SELECT id FROM users WHERE user_id = 'ann'`)
    expect(download.suggestedFilename()).toBe(`user-${id}.json`)
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'))
    expect(data.profile).toMatchObject({ userId: 'ann', email: 'ann@example.com' })
    expect(data.tags.map((t: { name: string }) => t.name)).toEqual(['VIP'])
    expect(data.interactions).toHaveLength(2)
    expect(data.responses).toEqual([expect.objectContaining({ answer: '9' })])
    expect(data.events.length).toBeGreaterThan(5)
    expect(data.devices).toHaveLength(1)
  })

  it('renames, recolours and deletes a tag in Settings; the list follows', async () => {
    await page.getByRole('link', { name: 'Settings' }).click()
    const name = page.getByLabel('Rename VIP')
    await name.fill('Key account')
    await name.press('Enter')
    await page.getByRole('radiogroup', { name: 'Colour of Key account' }).getByRole('radio', { name: '#16a34a' }).click()
    await expect.poll(async () => (await server.rows(`SELECT name, color FROM tags`))[0]).toMatchObject({ name: 'Key account', color: '#16a34a' })
    await shot(page, 'settings-tags')
    await page.getByRole('link', { name: 'Users & Segments' }).click()
    await expect.poll(() => page.locator('tr.user-row', { hasText: 'Ben Brook' }).locator('.tags-cell').textContent()).toContain('Key account')
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('button', { name: 'Delete tag Key account' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete tag' }).click()
    await page.getByText('No tags yet.', { exact: false }).waitFor()
    expect(await server.rows('SELECT 1 FROM user_tags')).toEqual([])
  })
})
