import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { TOTAL_USERS, XSS_NAME, seed } from './dashboard-seed.js'

describe('the Users tab in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const found = () => page.getByTestId('users-found')
  const rowOf = (name: string) => page.locator('tr.user-row', { hasText: name })

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

  it('lists users by last activity with the seed columns: Name / Id, Email, Last activity, Tags', async () => {
    await expect.poll(() => found().textContent()).toBe(`${TOTAL_USERS} users found`)
    const names = await page.locator('tr.user-row .user-name').allTextContents()
    expect(names.slice(0, 3)).toEqual([XSS_NAME, 'Ann Archer', 'Ben Brook'])
    // An anonymous visitor: "Anonymous" + "Jimer" and the first four characters of the Jimer ID; no email.
    const anon = rowOf('Jimer hONp')
    await expect.poll(() => anon.locator('.user-name').textContent()).toBe('Anonymous')
    expect(await anon.locator('.col-email').textContent()).toBe('none')
    expect(await rowOf('Ann Archer').locator('.col-activity').textContent()).toMatch(/minutes? ago|hour ago/)
    await page.locator('tr.user-row', { hasText: 'Ben Brook' }).hover()
    await shot(page, 'users-list')
  })

  it('renders a hostile name as text, never as markup', async () => {
    const row = rowOf(XSS_NAME)
    expect(await row.locator('.user-name').textContent()).toBe(XSS_NAME)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    await row.locator('.user-name').click()
    await expect.poll(() => page.locator('.profile-name').textContent()).toContain(XSS_NAME)
    expect(await page.locator('.attributes').textContent()).toContain(XSS_NAME)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    await page.getByRole('button', { name: 'Close profile' }).click()
  })

  it('works from the keyboard: menus, a row by its name, Escape to close', async () => {
    const add = page.locator('.builder-foot').getByRole('button', { name: 'Add...' })
    await add.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Properties')
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Custom attributes')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByRole('menu').count()).toBe(0)
    expect(await add.evaluate((el) => el === document.activeElement)).toBe(true)
    // Focus can fall to the page (a clicked category re-renders away before the next field
    // takes it, or a click on the panel's padding): Escape still closes the menu.
    await add.click()
    await page.getByRole('menuitem', { name: 'Events' }).click()
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByRole('menu').count()).toBe(0)

    await rowOf('Ben Brook').locator('.user-name').focus()
    await page.keyboard.press('Enter')
    const panel = page.getByRole('complementary', { name: 'User profile' })
    await expect.poll(() => panel.locator('.profile-name').textContent()).toBe('Ben Brook')
    // At laptop width the list keeps its names and activity beside the profile.
    await page.setViewportSize({ width: 1280, height: 800 })
    await shot(page, 'users-laptop-with-profile')
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.keyboard.press('Escape')
    await expect.poll(() => panel.count()).toBe(0)
  })

  it('searches by prefix or contains, case-insensitive', async () => {
    await page.getByLabel('Search users by name, email or user id').fill('ARCH')
    await expect.poll(() => found().textContent()).toBe('1 user found')
    await page.getByRole('radio', { name: 'Starts with' }).click()
    await expect.poll(() => found().textContent()).toBe('0 users found')
    expect(page.url()).toContain('match=prefix')
    await page.getByRole('button', { name: 'Clear search' }).click()
    await page.getByRole('radio', { name: 'Contains' }).click()
    await expect.poll(() => found().textContent()).toBe(`${TOTAL_USERS} users found`)
  })

  it('filters with a nested AND / OR group; the count and the rows follow, and the URL holds the filter', async () => {
    await addCondition(page, 'Custom attributes', 'plan')
    await page.getByLabel('plan operator').selectOption('is')
    await page.getByLabel('plan value').fill('pro')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => found().textContent()).toBe('5 users found')

    // plan is pro AND (country is FR OR seats ≥ 10)
    await page.locator('.builder-foot').getByRole('button', { name: 'Add...' }).click()
    await page.getByRole('menuitem', { name: 'New logic group' }).click()
    const group = page.getByRole('group', { name: 'Logic group (OR)' })
    await group.getByRole('button', { name: 'Add a condition to this group' }).click()
    await page.getByRole('menuitem', { name: 'Custom attributes' }).click()
    await page.getByRole('menuitem', { name: menuName('country') }).click()
    await group.getByLabel('country operator').selectOption('is')
    await group.getByLabel('country value').fill('FR')
    await group.getByRole('button', { name: 'Add condition' }).click()
    await page.getByRole('menuitem', { name: 'Custom attributes' }).click()
    await page.getByRole('menuitem', { name: menuName('seats') }).click()
    await group.getByLabel('seats value').fill('10')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => found().textContent()).toBe('3 users found')
    expect(await page.locator('tr.user-row .user-name').allTextContents()).toEqual(['Ann Archer', 'Ben Brook', 'Hugo Hart'])
    expect(JSON.parse(new URL(page.url()).searchParams.get('filter')!).root.conditions[1]).toMatchObject({ type: 'group', logic: 'or' })
    await shot(page, 'users-filter-nested')

    // A shared link opens the same view.
    const shared = await browser.context.newPage()
    await shared.goto(page.url())
    await expect.poll(() => shared.getByTestId('users-found').textContent()).toBe('3 users found')
    await shared.close()
  })

  it('saves the filter as a segment, and the Segments badge count rises', async () => {
    const badge = page.getByTestId('segments-count')
    await expect.poll(() => badge.textContent()).toBe('0')
    await page.getByRole('button', { name: 'Save as...' }).click()
    await page.getByRole('dialog', { name: 'Save as segment' }).getByLabel('Name').fill('Pro in France or big teams')
    await shot(page, 'users-save-as-segment')
    await page.getByRole('button', { name: 'Save segment' }).click()
    await expect.poll(() => badge.textContent()).toBe('1')
    await page.getByRole('navigation', { name: 'Users and segments' }).getByRole('link', { name: /^Segments/ }).click()
    const row = page.locator('.segments-table tbody tr', { hasText: 'Pro in France or big teams' })
    await expect.poll(() => row.locator('td.num').textContent()).toBe('3')
    await shot(page, 'segments-list')
  })

  it('creates a user with typed attributes, edits, disables, activates and deletes them', async () => {
    await page.getByRole('navigation', { name: 'Users and segments' }).getByRole('link', { name: 'Users' }).click()
    await page.getByRole('button', { name: 'New user' }).click()
    const dialog = page.getByRole('dialog', { name: 'New user' })
    await dialog.getByLabel(/User id/).fill('zoe-42')
    await dialog.getByLabel('Name', { exact: true }).fill('Zoé Zimmer')
    await dialog.getByLabel('Email').fill('zoe@example.com')
    await dialog.getByRole('button', { name: 'Add attribute' }).click()
    await dialog.getByLabel('Attribute name').fill('seats')
    await dialog.getByLabel('Value of seats').fill('7')
    await shot(page, 'users-new-user')
    await dialog.getByRole('button', { name: 'Create user' }).click()
    const panel = page.getByRole('complementary', { name: 'User profile' })
    await expect.poll(() => panel.locator('.profile-name').textContent()).toBe('Zoé Zimmer')
    expect(await panel.locator('.attributes tr', { hasText: 'seats' }).textContent()).toContain('7Dashboard')

    await panel.getByRole('button', { name: 'More actions' }).click()
    await page.getByRole('menuitem', { name: 'Edit properties' }).click()
    const edit = page.getByRole('dialog', { name: 'Edit properties' })
    await edit.getByLabel('Name', { exact: true }).fill('Zoé Zimmermann')
    await edit.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => panel.locator('.profile-name').textContent()).toBe('Zoé Zimmermann')
    await expect.poll(() => rowOf('Zoé Zimmermann').count()).toBe(1)

    await panel.getByRole('button', { name: 'More actions' }).click()
    await page.getByRole('menuitem', { name: 'Disable user' }).click()
    await expect.poll(() => panel.locator('.profile-name').textContent()).toContain('Disabled')
    await expect.poll(() => rowOf('Zoé Zimmermann').count()).toBe(0)
    await page.getByLabel('Show users').selectOption('disabled')
    await expect.poll(() => found().textContent()).toBe('1 user found')
    await panel.getByRole('button', { name: 'More actions' }).click()
    await page.getByRole('menuitem', { name: 'Activate user' }).click()
    await expect.poll(() => found().textContent()).toBe('0 users found')
    await page.getByLabel('Show users').selectOption('active')
    await expect.poll(() => rowOf('Zoé Zimmermann').count()).toBe(1)

    // Delete from the row: hover shows the red trash, a confirmation, then it is gone.
    await rowOf('Zoé Zimmermann').hover()
    await rowOf('Zoé Zimmermann').getByRole('button', { name: 'Delete Zoé Zimmermann' }).click()
    await shot(page, 'users-delete-confirm')
    await page.getByRole('dialog', { name: 'Delete this user?' }).getByRole('button', { name: 'Delete permanently' }).click()
    await expect.poll(() => rowOf('Zoé Zimmermann').count()).toBe(0)
    expect(await panel.count()).toBe(0)
    expect(await server.rows(`SELECT 1 FROM users WHERE user_id = 'zoe-42'`)).toEqual([])
  })
})

/** "Add..." → a category → an item. */
async function addCondition(page: Page, category: string, item: string) {
  await page.locator('.builder-foot').getByRole('button', { name: 'Add...' }).click()
  await page.getByRole('menuitem', { name: category }).click()
  await page.getByRole('menuitem', { name: menuName(item) }).click()
}

/** A menu entry by its label; the type hint after it ("plan string") does not matter. */
const menuName = (label: string) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`)
