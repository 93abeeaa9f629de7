import { parquetReadObjects } from 'hyparquet'
import { readFileSync } from 'node:fs'
import Papa from 'papaparse'
import type { Download, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { PEOPLE, seed } from './dashboard-seed.js'

describe('exporting a segment from the Segments tab, in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  const pro = PEOPLE.filter((p) => p[2] === 'pro')
  const dialog = () => page.getByRole('dialog', { name: 'Export “Pro users”' })
  /** Calls the admin API from the signed-in page, as the dashboard does. */
  const post = (path: string, body: object) =>
    page.evaluate(async ([url, b]) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
      return (await res.json()) as { id: number }
    }, [`/api/projects/${server.projectId}${path}`, body] as const)
  const openExport = async () => {
    await page.goto(`${server.url}/p/${server.projectId}/segments`)
    const row = page.locator('.segments-table tbody tr').filter({ has: page.locator('.seg-link').getByText('Pro users', { exact: true }) })
    await row.getByRole('button', { name: 'Actions for Pro users' }).click()
    await page.getByRole('menuitem', { name: 'Export…' }).click()
    await dialog().waitFor()
    // The declared attribute is ticked by default once the catalog is in.
    await expect.poll(() => dialog().getByRole('checkbox', { name: /^seats/ }).isChecked()).toBe(true)
  }
  const download = async (): Promise<{ file: Download; bytes: Buffer }> => {
    const [file] = await Promise.all([page.waitForEvent('download'), dialog().getByRole('link', { name: 'Download' }).click()])
    return { file, bytes: readFileSync((await file.path())!) }
  }

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    browser = await openBrowser()
    page = await browser.page()
    await signIn(page, server.url)
    await post('/attributes', { key: 'seats', type: 'number' })
    await post('/segments', { name: 'Pro users', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('downloads the default columns as CSV', async () => {
    await openExport()
    await shot(page, 'segment-export-dialog')
    expect(await dialog().getByRole('checkbox', { checked: true }).evaluateAll((els) => els.map((e) => e.closest('label')!.textContent!.trim())))
      .toEqual(['User id', 'Email', 'Name', 'Last seen', 'seatsnumber'])
    const { file, bytes } = await download()
    expect(file.suggestedFilename()).toMatch(/^segment-\d+-pro-users\.csv$/)
    const { data, meta } = Papa.parse<Record<string, string>>(bytes.toString('utf8'), { header: true, skipEmptyLines: true })
    expect(meta.fields).toEqual(['userId', 'email', 'name', 'lastSeen', 'attributes.seats'])
    expect(data.map((r) => r.userId).sort()).toEqual(pro.map((p) => p[0]).sort())
    const ben = data.find((r) => r.userId === 'ben')!
    expect(ben).toMatchObject({ email: 'ben@example.com', name: 'Ben Brook', 'attributes.seats': '25' })
    expect(ben.lastSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('downloads chosen columns as Parquet, typed', async () => {
    await openExport()
    await dialog().getByRole('radio', { name: 'Parquet' }).click()
    await dialog().getByRole('checkbox', { name: 'Name', exact: true }).uncheck()
    await dialog().getByRole('checkbox', { name: 'Sessions' }).check()
    await dialog().getByRole('checkbox', { name: /^plan/ }).check()
    await shot(page, 'segment-export-dialog-parquet')
    const { file, bytes } = await download()
    expect(file.suggestedFilename()).toMatch(/^segment-\d+-pro-users\.parquet$/)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const rows = await parquetReadObjects({ file: buffer }) as Record<string, unknown>[]
    expect(Object.keys(rows[0])).toEqual(['userId', 'email', 'lastSeen', 'sessions', 'attributes.seats', 'attributes.plan'])
    expect(rows.map((r) => r.userId).sort()).toEqual(pro.map((p) => p[0]).sort())
    const ben = rows.find((r) => r.userId === 'ben')!
    expect(ben).toMatchObject({ email: 'ben@example.com', 'attributes.seats': 25, 'attributes.plan': 'pro' })
    expect(ben.lastSeen).toBeInstanceOf(Date)
    expect(typeof ben.sessions).toBe('bigint')
  })

  it('will not download with no column chosen', async () => {
    await openExport()
    await dialog().getByRole('button', { name: 'Clear' }).click()
    expect(await dialog().getByRole('button', { name: 'Download' }).isDisabled()).toBe(true)
    await dialog().getByRole('button', { name: 'Cancel' }).click()
    await dialog().waitFor({ state: 'detached' })
  })
})
