// Personalization (issue 16): jimer.user() in real Chromium against the real Node server
// and the minified dist/s.js — the visitor's readable attributes only, asked once per page
// and again after identify / set.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, scriptReady, startSnippetServer, type Browser, type SnippetServer } from './snippet-harness.js'

describe('jimer.user() (Chromium)', { timeout: 60_000 }, () => {
  let server: SnippetServer
  let browser: Browser
  beforeAll(async () => {
    server = await startSnippetServer()
    // firstName is readable in the browser; plan is declared but not readable; ssn is not declared.
    for (const [key, readable] of [['firstName', 1], ['plan', 0]] as const) {
      await server.db.execute({ sql: "INSERT INTO attribute_definitions (project_id, key, type, readable, created_at) VALUES (?, ?, 'string', ?, 0)", args: [server.projectId, key, readable] })
    }
    browser = await launchBrowser()
  })
  afterEach(() => {
    expect(browser.foreignHosts(server.host), 'requests outside the test server').toEqual([])
    expect(browser.errors, 'errors thrown in the page').toEqual([])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('resolves to the readable attributes, kept for the page and asked again after identify and set', async () => {
    const page = await browser.page()
    const bodies: string[] = []
    page.on('response', async (r) => void (r.url().includes('/v1/attributes') && bodies.push(await r.text())))
    await page.goto(server.fixture('hello', server.stubTag(), '<p id="hello"></p>'))
    // Queued through the stub before the script loaded: the promise resolves once it runs.
    const early = await page.evaluate(() => (window as any).jimer.user())
    expect(early).toEqual({})
    await scriptReady(page)
    const user = () => page.evaluate(() => (window as any).jimer.user())
    await page.evaluate(() => (window as any).jimer.identify('ann', { firstName: 'Ann', plan: 'pro', ssn: '123-45-6789' }))
    expect(await user()).toEqual({ firstName: 'Ann' })
    const asked = () => browser.requests.filter((r) => r.url().includes('/v1/attributes')).length
    const before = asked()
    expect(await user()).toEqual({ firstName: 'Ann' })
    expect(asked()).toBe(before)
    await page.evaluate(() => (window as any).jimer.set({ firstName: 'Annie' }))
    await page.evaluate(async () => { document.getElementById('hello')!.textContent = `Hello ${(await (window as any).jimer.user()).firstName}` })
    expect(await page.locator('#hello').textContent()).toBe('Hello Annie')
    expect(asked()).toBe(before + 1)
    // What left the server: never the attributes nobody marked readable.
    await expect.poll(() => bodies.length).toBe(asked())
    for (const b of bodies) expect(b).not.toMatch(/plan|pro|ssn|123-45/)
  })
})
