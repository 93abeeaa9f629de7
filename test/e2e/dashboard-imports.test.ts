import { readFileSync } from 'node:fs'
import Papa from 'papaparse'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'

/**
 * One delimiter per file: this one is semicolon-separated, with a BOM, CRLF line ends, a quoted
 * cell holding a newline and a comma, a blank line (row 5, counted but skipped) and one row
 * whose seats are not a number once the column is typed Number.
 */
const CUSTOMERS = '\ufeff' + [
  'User ID;Email;Full name;Plan;Seats;Beta;Signup date;Tags;Notes from the customer success team, copied from the CRM export',
  'u1;ann@acme.io;"Ann ""The Boss"" Lee";pro;12;yes;2024-03-01;vip, early;<img src=x onerror=alert(1)>',
  'u2;bob@globex.com;"Bob\r\nSmith, Jr.";free;1;no;2024-05-20;;',
  'u3;cat@acme.io;Cat;pro;many;yes;2023-12-31;vip;',
  '',
  'u4;dan@acme.io;Dan;enterprise;40;no;2024-01-15;;renewal in May: https://crm.example.com/accounts/00000000000000000000000000000000000000000000/renewals?quarter=2024Q2',
].join('\r\n') + '\r\n'

/** 12,001 users: three chunks of at most 5,000 rows. */
const BIG_ROWS = 12_001
const bigCsv = (prefix: string) =>
  'user_id,email,plan,seats\n' + Array.from({ length: BIG_ROWS }, (_, i) => `${prefix}${i},${prefix}${i}@big.example,${i % 3 ? 'free' : 'pro'},${i % 50}`).join('\n') + '\n'
const BIG = bigCsv('r')

describe('importing users from a CSV file in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const get = <T = any>(path: string) =>
    page.evaluate(async (url) => (await fetch(url)).json(), `/api/projects/${server.projectId}${path}`) as Promise<T>
  const upload = (name: string, text: string) => page.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) })
  const historyRow = (name: string) => page.locator('.imports-table tbody tr').filter({ has: page.locator('.import-name', { hasText: name }) })
  const cells = async (name: string) => (await historyRow(name).locator('td').allInnerTexts()).map((t) => t.trim())

  beforeAll(async () => {
    server = await startDashboardServer()
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows an empty history with a way to start, without “New Segment”', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/imports`)
    await page.getByText('No imports yet').waitFor()
    expect(await page.getByRole('link', { name: 'New Segment' }).count()).toBe(0)
    expect(await page.locator('.hub-actions').getByRole('link', { name: 'Import users from CSV' }).count()).toBe(1)
    await shot(page, 'imports-0-empty')
  })

  it('uploads, maps (one type changed), reviews the error, imports with a segment, and lists it in the history', async () => {
    await page.getByRole('navigation', { name: 'Users and segments' }).getByRole('link', { name: 'Users' }).click()
    await page.locator('.hub-actions').getByRole('link', { name: 'Import users from CSV' }).click()
    await page.getByText('Drop a CSV file here').waitFor()
    await shot(page, 'imports-1-upload')

    await upload('customers (March).csv', CUSTOMERS)
    await page.getByRole('heading', { name: 'Columns' }).waitFor()
    expect(await page.locator('.file-chip').innerText()).toContain('semicolon separated')
    // Suggested from the header and the first rows.
    expect(await page.getByLabel('Import User ID as').inputValue()).toBe('userId')
    expect(await page.getByLabel('Import Email as').inputValue()).toBe('email')
    expect(await page.getByLabel('Import Full name as').inputValue()).toBe('name')
    expect(await page.getByLabel('Import Tags as').inputValue()).toBe('tag')
    expect(await page.getByLabel('Attribute key for Signup date').inputValue()).toBe('signup_date')
    expect(await page.getByLabel('Type of Signup date').inputValue()).toBe('date')
    expect(await page.getByLabel('Type of Beta').inputValue()).toBe('boolean')
    // "many" makes Seats look like text; it is a number column with one bad cell.
    expect(await page.getByLabel('Type of Seats').inputValue()).toBe('string')
    await page.getByLabel('Type of Seats').selectOption('number')
    const bad = page.locator('.preview-table tr.row-bad')
    await expect.poll(() => bad.count()).toBe(1)
    expect(await page.locator('.preview-table tr.row-problem').innerText()).toMatch(/Skipped: Seats\s*“?many”?\s*is not a number/)
    // The quoted newline and comma survive; row numbers are the spreadsheet's (the blank line is row 5).
    const preview = await page.locator('.preview-table tbody tr:not(.row-problem)').evaluateAll((trs) => trs.map((tr) => (tr.firstElementChild as HTMLElement).innerText))
    expect(preview).toEqual(['2', '3', '4', '6'])
    expect(await page.locator('.preview-table').innerText()).toContain('Smith, Jr.')
    // The hostile cell is text on the page, never markup.
    await page.getByLabel('Import Notes from the customer success team, copied from the CRM export as').selectOption('ignore')
    await page.getByLabel('Import Notes from the customer success team, copied from the CRM export as').selectOption('attribute')
    await page.getByLabel('Attribute key for Notes from the customer success team, copied from the CRM export').fill('notes')
    expect(await page.locator('.preview-table').innerText()).toContain('<img src=x onerror=alert(1)>')
    await shot(page, 'imports-2-map')
    await page.locator('.preview-table').scrollIntoViewIfNeeded()
    await shot(page, 'imports-2-map-preview')

    // A key already used by another column is refused until fixed.
    await page.getByLabel('Attribute key for Notes from the customer success team, copied from the CRM export').fill('plan')
    expect(await page.getByRole('button', { name: 'Continue to review' }).isDisabled()).toBe(true)
    expect(await page.locator('.map-table').innerText()).toContain('Column 4 already uses this key.')
    await page.locator('.flow-actions').scrollIntoViewIfNeeded()
    await shot(page, 'imports-2-map-problem')
    await page.getByLabel('Attribute key for Notes from the customer success team, copied from the CRM export').fill('notes')

    await page.getByRole('button', { name: 'Continue to review' }).click()
    await expect.poll(() => page.getByTestId('review-rows').textContent()).toBe('4')
    expect(await page.getByTestId('review-good').textContent()).toBe('3')
    expect(await page.getByTestId('review-bad').textContent()).toBe('1')
    const sample = await page.locator('.error-sample tbody tr').first().locator('td').allInnerTexts()
    expect(sample).toEqual(['4', 'Seats', 'many', 'is not a number'])
    expect(await page.locator('.error-kinds').innerText()).toContain('Not a number')

    await page.getByLabel('Create a segment of the imported users').check()
    await page.getByLabel('Segment name').fill('Customers, March')
    await shot(page, 'imports-3-review')
    await page.getByRole('button', { name: 'Import 3 rows' }).click()

    await page.getByRole('heading', { name: 'Import complete' }).waitFor()
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100')
    expect(await page.getByTestId('result-created').textContent()).toBe('3')
    expect(await page.getByTestId('result-skipped').textContent()).toBe('1')
    await shot(page, 'imports-4-done')

    await page.getByRole('link', { name: 'Go to import history' }).click()
    await historyRow('customers (March).csv').waitFor()
    expect(await cells('customers (March).csv')).toEqual([
      expect.stringContaining('customers (March).csv'), 'Done', '3', '0', '0', '1', expect.stringContaining('Download error report'), 'Customers, March', 'now',
    ])
    await shot(page, 'imports-5-history')

    // The users exist, with typed attributes.
    const list = await get<{ users: { id: number; userId: string }[] }>('/users?limit=200')
    expect(list.users.map((u) => u.userId).sort()).toEqual(['u1', 'u2', 'u4'])
    const pk = (id: string) => list.users.find((u) => u.userId === id)!.id
    const ann = await get<{ name: string; email: string; attributes: { name: string; value: unknown }[]; tags: { name: string }[] }>(`/users/${pk('u1')}`)
    const attrs = Object.fromEntries(ann.attributes.map((a) => [a.name, a.value]))
    expect(ann).toMatchObject({ name: 'Ann "The Boss" Lee', email: 'ann@acme.io' })
    expect(attrs).toMatchObject({ plan: 'pro', seats: 12, beta: true, signup_date: '2024-03-01', notes: '<img src=x onerror=alert(1)>' })
    expect(ann.tags.map((t) => t.name).sort()).toEqual(['early', 'vip'])
    expect((await get<{ name: string }>(`/users/${pk('u2')}`)).name).toBe('Bob\r\nSmith, Jr.')

    // The segment holds the imported users.
    await historyRow('customers (March).csv').getByRole('link', { name: 'Customers, March' }).click()
    await expect.poll(() => page.locator('.members li').count()).toBe(3)
    await page.goBack()

    // The error report lists the bad row.
    const [download] = await Promise.all([page.waitForEvent('download'), historyRow('customers (March).csv').getByRole('link', { name: /Download error report/ }).click()])
    const report = Papa.parse<Record<string, string>>(readFileSync((await download.path())!, 'utf8').trim(), { header: true }).data
    expect(report).toEqual([{ row: '4', column: 'Seats', code: 'invalid_number', reason: 'is not a number', value: 'many' }])
  })

  it('skips a row whose quote is never closed and lists it as csv_syntax in the error report', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/imports/new`)
    await upload('quotes.csv', 'user_id,email,name\nq1,q1@quote.example,Quinn\nq2,q2@quote.example,"Quincy\n')
    await page.getByRole('heading', { name: 'Columns' }).waitFor()
    expect(await page.locator('.preview-table tr.row-problem').innerText()).toMatch(/Skipped: the row\s+Quoted field unterminated/)
    await page.getByRole('button', { name: 'Continue to review' }).click()
    await expect.poll(() => page.getByTestId('review-rows').textContent()).toBe('2')
    expect(await page.getByTestId('review-bad').textContent()).toBe('1')
    expect(await page.locator('.error-kinds').innerText()).toContain('Broken quoting')
    expect(await page.locator('p.warn').innerText()).toContain('1 row with broken quoting (first at row 3: Quoted field unterminated) will be skipped, not imported.')
    await shot(page, 'imports-review-quoting')
    await page.getByRole('button', { name: 'Import 1 row' }).click()

    await page.getByRole('heading', { name: 'Import complete' }).waitFor()
    expect(await page.getByTestId('result-created').textContent()).toBe('1')
    expect(await page.getByTestId('result-skipped').textContent()).toBe('1')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download error report/ }).click()])
    const report = Papa.parse<Record<string, string>>(readFileSync((await download.path())!, 'utf8').trim(), { header: true }).data
    expect(report).toEqual([{ row: '3', column: '', code: 'csv_syntax', reason: 'Quoted field unterminated', value: '' }])
    const users = await server.rows(`SELECT user_id FROM users WHERE email LIKE '%@quote.example'`)
    expect(users.map((u) => u.user_id)).toEqual(['q1'])
  })

  it('sends a chunk again after a network error: the import finishes once, with no duplicate users', async () => {
    let attempts = [0, 0, 0]
    await page.route('**/imports/*/chunks/*', async (route) => {
      const seq = Number(route.request().url().split('/').pop())
      attempts[seq]++
      // Chunk 0 never reaches the server the first time; chunk 1 does, but its answer is lost.
      if (seq === 0 && attempts[0] === 1) return route.abort('connectionreset')
      if (seq === 1 && attempts[1] === 1) {
        await route.fetch()
        return route.abort('connectionreset')
      }
      return route.continue()
    })
    await page.goto(`${server.url}/p/${server.projectId}/imports/new`)
    await upload('big.csv', BIG)
    await page.getByRole('button', { name: 'Continue to review' }).click()
    await expect.poll(() => page.getByTestId('review-rows').textContent(), { timeout: 15_000 }).toBe('12,001')
    await page.getByRole('button', { name: 'Import 12,001 rows' }).click()
    await page.getByText(/did not go through/).waitFor()
    await shot(page, 'imports-retry')
    await page.getByRole('heading', { name: 'Import complete' }).waitFor({ timeout: 30_000 })
    await page.unroute('**/imports/*/chunks/*')
    expect(attempts).toEqual([2, 2, 1])
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100')
    expect(await page.getByTestId('result-created').textContent()).toBe('12,001')
    const [users] = await server.rows(`SELECT count(*) AS n, count(DISTINCT user_id) AS ids FROM users WHERE user_id LIKE 'r%' AND email LIKE '%@big.example'`)
    expect(users).toMatchObject({ n: BIG_ROWS, ids: BIG_ROWS })
    const [imp] = (await get<{ imports: any[] }>('/imports')).imports
    expect(imp).toMatchObject({ name: 'big.csv', status: 'done', rowsTotal: BIG_ROWS, created: BIG_ROWS, updated: 0, skipped: 0, errorCount: 0 })
  })

  it('keeps importing after leaving for the history, which shows the running counts, then Done', async () => {
    let release!: () => void
    const held = new Promise<void>((ok) => (release = ok))
    await page.route('**/imports/*/chunks/2', async (route) => {
      await held
      return route.continue()
    })
    await page.goto(`${server.url}/p/${server.projectId}/imports/new`)
    await upload('big.csv', BIG)
    await page.getByRole('button', { name: 'Continue to review' }).click()
    await page.getByRole('button', { name: 'Import 12,001 rows' }).click()
    await expect.poll(() => page.getByRole('progressbar').getAttribute('aria-valuenow'), { timeout: 15_000 }).toBe('83')
    await shot(page, 'imports-progress')
    await page.getByRole('link', { name: 'View history' }).click()
    // The same file again: nothing changes (F-61); two chunks are in, the third is held.
    const running = page.locator('.imports-table tbody tr').first()
    await expect.poll(() => running.locator('td').allInnerTexts()).toEqual([expect.stringContaining('10,000 rows'), 'Running', '0', '0', '10,000', '0', '—', '—', 'now'])
    await shot(page, 'imports-history-running')
    release()
    await expect.poll(() => running.locator('td').nth(1).innerText(), { timeout: 15_000 }).toBe('Done')
    expect((await running.locator('td').allInnerTexts()).slice(2, 6)).toEqual(['0', '0', '12,001', '0'])
    await page.unroute('**/imports/*/chunks/2')
  })

  it('stops on an error the server refuses, says why, and resumes from the history with the same file', async () => {
    const file = bigCsv('s')
    const sent: number[] = []
    let refuse = true
    await page.route('**/imports/*/chunks/*', async (route) => {
      const seq = Number(route.request().url().split('/').pop())
      sent.push(seq)
      if (seq === 1 && refuse) {
        refuse = false
        return route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'invalid_field', message: 'rows: the proxy mangled this chunk' } }) })
      }
      return route.continue()
    })
    await page.goto(`${server.url}/p/${server.projectId}/imports/new`)
    await upload('second.csv', file)
    await page.getByRole('button', { name: 'Continue to review' }).click()
    await page.getByRole('button', { name: 'Import 12,001 rows' }).click()
    await page.getByRole('heading', { name: 'The import failed' }).waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('rows: the proxy mangled this chunk')
    await shot(page, 'imports-failed')

    await page.getByRole('link', { name: 'Go to import history' }).click()
    const row = historyRow('second.csv')
    await expect.poll(() => row.locator('td').nth(1).innerText()).toBe('Failed')
    expect(await row.locator('.import-failure').innerText()).toBe('rows: the proxy mangled this chunk')
    expect(await row.locator('td').nth(2).innerText()).toBe('5,000')
    await shot(page, 'imports-history-failed')

    await row.getByRole('link', { name: 'Resume with the same file' }).click()
    await page.getByText('Resuming “second.csv”').waitFor()
    // Another file is refused: the import's mapping is for these columns.
    await upload('other.csv', 'id;mail\n1;a@b.co\n')
    expect(await page.getByRole('alert').innerText()).toContain('its columns are not those of “second.csv”')
    await shot(page, 'imports-resume')

    // A file with the same columns but other rows: its chunk 0 is not the one committed.
    await upload('second, edited.csv', 'user_id,email,plan,seats\nx0,x0@big.example,pro,1\n')
    await page.getByRole('button', { name: 'Resume import' }).click()
    await page.getByRole('heading', { name: 'The import failed' }).waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('This is not the same file: chunk 1 differs from the one imported before.')
    await page.getByRole('link', { name: 'Go to import history' }).click()
    await expect.poll(() => row.locator('.import-failure').innerText()).toContain('This is not the same file')
    expect(await row.locator('td').nth(2).innerText()).toBe('5,000')

    await row.getByRole('link', { name: 'Resume with the same file' }).click()
    await upload('second.csv', file)
    sent.length = 0
    const resent = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/chunks/0'))
    await page.getByRole('button', { name: 'Resume import' }).click()
    // Chunk 0 was committed before the failure: it is sent again, and answered from its record.
    expect((await (await resent).json()).chunk).toEqual({ seq: 0, rows: 5000, created: 5000, updated: 0, unchanged: 0, skipped: 0 })
    await page.getByRole('heading', { name: 'Import complete' }).waitFor({ timeout: 30_000 })
    await page.unroute('**/imports/*/chunks/*')
    expect(sent).toEqual([0, 1, 2])
    expect(await page.getByTestId('result-created').textContent()).toBe('12,001')
    expect(await page.getByTestId('result-unchanged').textContent()).toBe('0')
    const imp = (await get<{ imports: any[] }>('/imports')).imports.find((i) => i.name === 'second.csv')
    expect(imp).toMatchObject({ status: 'done', rowsTotal: BIG_ROWS, created: BIG_ROWS, updated: 0, unchanged: 0, skipped: 0, errorCount: 0 })
    const [users] = await server.rows(`SELECT count(*) AS n, count(DISTINCT user_id) AS ids FROM users WHERE (user_id LIKE 's%' OR user_id LIKE 'x%') AND email LIKE '%@big.example'`)
    expect(users).toMatchObject({ n: BIG_ROWS, ids: BIG_ROWS })
  })
})
