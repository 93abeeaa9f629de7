// F-01, F-06: the snippet in real Chromium against the real Node server and the minified dist/s.js.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchBrowser, scriptReady, startSnippetServer, type Browser, type Sent, type SnippetServer } from './snippet-harness.js'

const poll = { timeout: 20_000 }

describe('snippet delivery (Chromium)', { timeout: 60_000 }, () => {
  let server: SnippetServer
  let browser: Browser
  beforeAll(async () => { server = await startSnippetServer() })
  afterAll(async () => { await server?.close() })
  beforeEach(async () => { browser = await launchBrowser() })
  afterEach(async () => {
    const foreign = browser.foreignHosts(server.host)
    const errors = browser.errors
    await browser.close()
    expect(foreign, 'requests outside the test server').toEqual([])
    expect(errors, 'errors thrown in the page').toEqual([])
  })

  /** Events stored for a Jimer ID, in insertion order. */
  const eventsOf = (anonymousId: string) =>
    server.rows('SELECT name, message_id, properties FROM events WHERE project_id = ? AND anonymous_id = ? ORDER BY id', [server.projectId, anonymousId])
  const idOf = (sent: Sent[]) => sent[0]?.anonymousId

  it('replays the calls queued before the script loads, in order, then sends the first page view', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('queued', server.stubTag() + `<script>
      jimer.track('first', { n: 1 })
      jimer.push(['track', 'second', { n: 2 }])
      jimer.identify('queued-user', { email: 'q@example.com', plan: 'pro' })
      jimer.track('third', { n: 3 })
      window.readyCalled = jimer.ready(() => 'ran')
      window.segmentsAnswer = jimer.segments()
    </script>`))
    await scriptReady(page)
    await expect.poll(() => browser.sent().length, poll).toBeGreaterThanOrEqual(5)
    const sent = browser.sent()
    expect(sent.map((m) => m.event ?? m.type)).toEqual(['first', 'second', 'identify', 'third', 'page'])
    // Only identify names the user; every call has its own message id.
    expect(sent.map((m) => m.userId ?? null)).toEqual([null, null, 'queued-user', null, null])
    expect(new Set(sent.map((m) => m.messageId)).size).toBe(5)

    await expect.poll(async () => (await eventsOf(idOf(sent))).map((e) => e.name), poll).toEqual(['first', 'second', '$identify', 'third', '$page'])
    // The calls after identify reach the user through the device.
    const [user] = await server.rows('SELECT id, email, attributes FROM users WHERE project_id = ? AND user_id = ?', [server.projectId, 'queued-user'])
    expect(user).toMatchObject({ email: 'q@example.com', attributes: '{"plan":"pro"}' })
    const onProfile = await server.rows('SELECT name FROM events WHERE user_pk = ? ORDER BY id', [user.id])
    expect(onProfile.map((e) => e.name)).toEqual(['first', 'second', '$identify', 'third', '$page'])
    // The stub's methods return promises of the real calls' results; /v1/segments does not exist yet.
    expect(await page.evaluate(() => (window as any).segmentsAnswer)).toEqual([])
  })

  it('delivers every call exactly once while the collector answers 503 for a while, honouring Retry-After', async () => {
    const page = await browser.page()
    const attempts: { at: number; body: { sentAt: string; batch: Sent[] } }[] = []
    await page.route('**/v1/batch', (route) => {
      attempts.push({ at: Date.now(), body: JSON.parse(route.request().postData()!) })
      return attempts.length <= 2
        ? route.fulfill({ status: 503, headers: { 'Retry-After': '1', 'Content-Type': 'application/json' }, body: '{"error":{"code":"storage_unavailable"}}' })
        : route.continue()
    })
    await page.goto(server.fixture('down-503', server.stubTag() + `<script>for (let i = 1; i <= 5; i++) jimer.track('call_' + i, { i })</script>`))

    await expect.poll(() => attempts.length, poll).toBe(3)
    const anonymousId = idOf(attempts[0].body.batch)
    await expect.poll(async () => (await eventsOf(anonymousId)).length, poll).toBe(6)

    const ids = attempts.map((a) => a.body.batch.map((m) => m.messageId))
    expect(ids[1]).toEqual(ids[0])
    expect(ids[2]).toEqual(ids[0])
    expect(new Set(attempts.map((a) => a.body.sentAt)).size).toBe(3)
    for (let i = 1; i < attempts.length; i++) expect(attempts[i].at - attempts[i - 1].at).toBeGreaterThanOrEqual(950)
    const stored = await eventsOf(anonymousId)
    expect(stored.map((e) => e.message_id).sort()).toEqual([...ids[0]].sort())
  })

  it('stores a call once when the collector stored it but the answer never reached the page', async () => {
    const page = await browser.page()
    const attempts: Sent[][] = []
    await page.route('**/v1/batch', async (route) => {
      attempts.push(JSON.parse(route.request().postData()!).batch)
      if (attempts.length > 1) return route.continue()
      await route.fetch() // reaches the server, which commits…
      return route.abort('connectionreset') // …but the page sees a network error
    })
    await page.goto(server.fixture('lost-answer', server.stubTag() + `<script>jimer.track('paid', { total: 30 })</script>`))

    await expect.poll(() => attempts.length, poll).toBe(2)
    expect(attempts[1].map((m) => m.messageId)).toEqual(attempts[0].map((m) => m.messageId))
    const anonymousId = idOf(attempts[0])
    await expect.poll(async () => (await eventsOf(anonymousId)).map((e) => e.name), poll).toEqual(['paid', '$page'])
    const [user] = await server.rows('SELECT u.events_count FROM users u JOIN devices d ON d.user_pk = u.id WHERE d.anonymous_id = ?', [anonymousId])
    expect(user.events_count).toBe(2)
  })

  it('keeps undelivered calls across a reload and sends them under the same message ids', async () => {
    const page = await browser.page()
    let down = true
    await page.route('**/v1/batch', (route) =>
      down ? route.fulfill({ status: 503, headers: { 'Retry-After': '600' }, body: '' }) : route.continue())
    await page.goto(server.fixture('reload', server.stubTag()))
    await scriptReady(page)
    await page.evaluate(() => (window as any).jimer.track('offline_call'))
    await page.waitForResponse((r) => r.url().endsWith('/v1/batch') && r.status() === 503)
    const queued = await page.evaluate(() => JSON.parse(localStorage.jimer_q) as Sent[])
    const offline = queued.find((m) => m.event === 'offline_call')!
    expect(offline).toBeDefined()

    // The beacon sent on unload still meets the outage; the next page finds the call in storage.
    await page.reload({ waitUntil: 'commit' })
    down = false
    await expect.poll(async () => (await eventsOf(offline.anonymousId)).filter((e) => e.name === 'offline_call').map((e) => e.message_id), poll)
      .toEqual([offline.messageId])
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.jimer_q).length), poll).toBe(0)
  })

  it('sends the calls made just before the page closes with a beacon', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('closing', server.stubTag()))
    await scriptReady(page)
    const anonymousId = await page.evaluate(() => JSON.parse(localStorage.jimer_id) as string)
    await expect.poll(async () => (await eventsOf(anonymousId)).length, poll).toBe(1)

    await page.evaluate(() => (window as any).jimer.track('closing_click', { button: 'logout' }))
    await page.close()
    await expect.poll(async () => (await eventsOf(anonymousId)).map((e) => e.name), poll).toEqual(['$page', 'closing_click'])
  })

  it('sends queued calls with sendBeacon as text/plain when the page is hidden', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('hidden', server.stubTag()))
    await scriptReady(page)
    await page.waitForResponse('**/v1/batch')
    const beacon = page.waitForRequest((r) => r.url().endsWith('/v1/batch') && r.resourceType() === 'ping')
    await page.evaluate(() => {
      const jimer = (window as any).jimer
      jimer.track('tab_hidden')
      Object.defineProperty(document, 'hidden', { value: true, configurable: true })
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))
    })
    const request = await beacon
    expect(request.headers()['content-type']).toMatch(/^text\/plain/)
    expect(JSON.parse(request.postData()!).batch.map((m: Sent) => m.event)).toEqual(['tab_hidden'])
  })

  it('works in memory, with the Jimer ID in a cookie, when localStorage throws', async () => {
    await browser.context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError') } })
    })
    const page = await browser.page()
    const url = server.fixture('no-storage', server.stubTag() + `<script>jimer.identify('storage-less', { email: 's@example.com' }); jimer.track('works')</script>`)
    await page.goto(url)
    await scriptReady(page)
    await expect.poll(() => browser.sent().length, poll).toBe(3)
    const anonymousId = idOf(browser.sent())
    await expect.poll(async () => (await eventsOf(anonymousId)).map((e) => e.name), poll).toEqual(['$identify', 'works', '$page'])
    expect(await page.evaluate(() => document.cookie)).toContain(`jimer_id=${anonymousId}`)

    // The fixture's calls run again on reload, under the same Jimer ID.
    await page.reload()
    await scriptReady(page)
    await expect.poll(() => browser.sent().length, poll).toBe(6)
    expect(new Set(browser.sent().map((m) => m.anonymousId))).toEqual(new Set([anonymousId]))
  })

  it('drops the oldest calls past the queue bound and reports how many', async () => {
    const page = await browser.page()
    await page.route('**/v1/batch', (route) => route.fulfill({ status: 503, headers: { 'Retry-After': '600' }, body: '' }))
    await page.goto(server.fixture('bound', server.stubTag()))
    await scriptReady(page)
    await page.waitForResponse('**/v1/batch')
    const queued = await page.evaluate(() => {
      for (let i = 1; i <= 120; i++) (window as any).jimer.track('burst', { i })
      return JSON.parse(localStorage.jimer_q) as Sent[]
    })
    expect(queued).toHaveLength(100)
    expect(queued[0].properties).toEqual({ i: 21 })
    expect(queued.at(-1)!.properties).toEqual({ i: 120 })
    // The page view and calls 1…20 were dropped: the counts travel with the calls that replaced them.
    expect(queued.reduce((n, m) => n + (m.context.dropped ?? 0), 0)).toBe(21)
  })
})
