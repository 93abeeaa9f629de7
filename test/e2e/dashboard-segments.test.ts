import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'

describe('the Segments and Imports tabs, and the loading and error states, in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const badge = () => page.getByTestId('segments-count')
  const row = (name: string) => page.locator('.segments-table tbody tr').filter({ has: page.locator('.seg-link').getByText(name, { exact: true }) })
  const actions = async (name: string) => {
    await row(name).getByRole('button', { name: `Actions for ${name}` }).click()
  }
  /** Saves a segment through the same API the dashboard uses, from the signed-in page. */
  const create = (body: object) =>
    page.evaluate(async ([p, b]) => {
      const res = await fetch(`/api/projects/${p}/segments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
      return (await res.json()) as { id: number }
    }, [server.projectId, body] as const)

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
    const pro = await create({ name: 'Pro users', description: 'Everyone on the pro plan', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })
    await create({
      name: 'Pro in France',
      conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: pro.id }, { type: 'attribute', key: 'country', operator: 'is', value: 'FR' }] } },
      targetable: true,
      key: 'pro-fr',
    })
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('lists segments with members, last computed and the segments that use them', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/segments`)
    await expect.poll(() => badge().textContent()).toBe('2')
    expect(await row('Pro users').locator('td').allTextContents()).toEqual([expect.stringContaining('Everyone on the pro plan'), '5', 'now', 'Pro in France', ''])
    expect(await row('Pro in France').textContent()).toContain('key: pro-fr')
    expect(await row('Pro in France').locator('td.num').textContent()).toBe('2')
  })

  it('refuses to delete a segment another one uses, and says which', async () => {
    await actions('Pro users')
    await page.getByRole('menuitem', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete “Pro users”?' })
    await dialog.getByRole('button', { name: 'Delete segment' }).click()
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('is used by "Pro in France"')
    await shot(page, 'segments-delete-refused')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await row('Pro users').count()).toBe(1)
  })

  it('duplicates a segment, then edits the copy with a live count, a targetable switch and a key', async () => {
    await actions('Pro users')
    await page.getByRole('menuitem', { name: 'Duplicate' }).click()
    await expect.poll(() => badge().textContent()).toBe('3')
    await row('Pro users (copy)').getByRole('link').click()
    await expect.poll(() => page.getByTestId('preview-count').textContent()).toBe('5')
    await page.getByLabel('Name', { exact: true }).fill('Pro in the US')
    await page.getByRole('button', { name: 'Add...' }).click()
    await page.getByRole('menuitem', { name: 'Custom attributes' }).click()
    await page.getByRole('menuitem', { name: /^country/ }).click()
    await page.getByLabel('country operator').selectOption('is')
    await page.getByLabel('country value').fill('US')
    await expect.poll(() => page.getByTestId('preview-count').textContent()).toBe('2')
    // The visible switch is the label drawn over the (transparent) checkbox: click it as a person would.
    await page.locator('label.switch').click()
    expect(await page.getByRole('switch').isChecked()).toBe(true)
    await page.getByLabel('Key').fill('pro-us')
    await shot(page, 'segment-edit')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect.poll(() => page.locator('.members li').count()).toBe(2)
    expect(await page.locator('.members').textContent()).toContain('Kim Kowalski')
    const [saved] = await server.rows(`SELECT targetable, key, member_count FROM segments WHERE name = 'Pro in the US'`)
    expect(saved).toMatchObject({ targetable: 1, key: 'pro-us', member_count: 2 })
  })

  it('deletes a segment nothing uses', async () => {
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog', { name: 'Delete “Pro in the US”?' }).getByRole('button', { name: 'Delete segment' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/p/${server.projectId}/segments`)
    await expect.poll(() => badge().textContent()).toBe('2')
    expect(await row('Pro in the US').count()).toBe(0)
  })

  it('keeps a manual segment: members added by user id or email, and removed', async () => {
    await page.getByRole('link', { name: 'New Segment' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Design partners')
    await page.getByRole('radio', { name: /Manual/ }).click()
    await page.getByRole('button', { name: 'Create segment' }).click()
    await page.getByLabel('User ids or emails to add').fill('cleo, dan@example.com')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.locator('.members li').count()).toBe(2)
    await shot(page, 'segment-manual')
    await page.getByRole('button', { name: 'Remove Cleo Chen' }).click()
    await expect.poll(() => page.locator('.members').textContent()).not.toContain('Cleo Chen')
    await page.locator('.back-link').click()
    await expect.poll(() => row('Design partners').locator('td.num').textContent()).toBe('1')
    await shot(page, 'segments-list-full')
  })

  it('shows the Imports tab empty, without "+ New Segment" (the import flow is tested in dashboard-imports)', async () => {
    await page.getByRole('navigation', { name: 'Users and segments' }).getByRole('link', { name: 'Imports' }).click()
    await page.getByText('No imports yet').waitFor()
    expect(await page.getByRole('link', { name: 'New Segment' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Import users from CSV' }).count()).toBeGreaterThan(0)
    await shot(page, 'imports')
  })

  it('shows a loading state while the list is on its way, and an error state with a retry when it fails', async () => {
    let release!: () => void
    const held = new Promise<void>((ok) => (release = ok))
    let fail = true
    await page.route('**/api/projects/*/users?*', async (route) => {
      await held
      if (fail) return route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal_error', message: 'something went wrong on our side' } }) })
      return route.continue()
    })
    await page.getByRole('navigation', { name: 'Users and segments' }).getByRole('link', { name: 'Users' }).click()
    await page.getByText('Loading users…').waitFor()
    await shot(page, 'users-loading')
    release()
    await page.getByText('Could not load users').waitFor()
    await shot(page, 'users-error')
    fail = false
    await page.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => page.getByTestId('users-found').textContent()).toMatch(/users found/)
    await page.unroute('**/api/projects/*/users?*')
  })

  it('pages through users with the keyset cursor', async () => {
    await server.send(Array.from({ length: 50 }, (_, i) => ({ type: 'page', anonymousId: `pager-${String(i).padStart(2, '0')}-visitor`, name: 'Docs', timestamp: new Date(Date.now() - (300 + i) * 3_600_000).toISOString() })))
    await page.reload()
    await expect.poll(() => page.getByTestId('users-found').textContent()).toBe('66 users found')
    expect(await page.locator('tr.user-row').count()).toBe(50)
    await page.getByRole('button', { name: 'Next' }).click()
    await expect.poll(() => page.locator('.pager').textContent()).toContain('51–66 of 66')
    expect(await page.locator('tr.user-row').count()).toBe(16)
    await shot(page, 'users-page-2')
    await page.getByRole('button', { name: 'Previous' }).click()
    await expect.poll(() => page.locator('tr.user-row').count()).toBe(50)
    // The page is in the URL (issue 14): a reload or a shared link opens page 2 again.
    await page.getByRole('button', { name: 'Next' }).click()
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2')
    await page.reload()
    await expect.poll(() => page.getByTestId('page-range').textContent()).toContain('Page 2 · 51–66 of 66')
    expect(await page.locator('tr.user-row').count()).toBe(16)
    // Opened from a link, page 2's previous page is the first one.
    await page.getByRole('button', { name: 'Previous' }).click()
    await expect.poll(() => page.locator('tr.user-row').count()).toBe(50)
    expect(new URL(page.url()).searchParams.get('page')).toBeNull()
  })

  it('says so when a search finds nobody', async () => {
    await page.getByLabel('Search users by name, email or user id').fill('nobody-by-this-name')
    await page.getByText('No users match').waitFor()
    await shot(page, 'users-empty')
  })
})
