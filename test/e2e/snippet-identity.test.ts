// F-01…F-05, F-07: identity, the API surface and Jimo compatibility, in real Chromium
// against the real Node server and the minified dist/s.js.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { userHash } from '../../worker/src/auth/user-hash.js'
import { launchBrowser, scriptReady, startSnippetServer, type Browser, type Sent, type SnippetServer } from './snippet-harness.js'

const poll = { timeout: 20_000 }

describe('snippet identity and API (Chromium)', { timeout: 60_000 }, () => {
  let server: SnippetServer
  let browser: Browser
  let allowedHosts: string[]
  beforeAll(async () => { server = await startSnippetServer() })
  afterAll(async () => { await server?.close() })
  beforeEach(async () => {
    browser = await launchBrowser()
    allowedHosts = [server.host]
  })
  afterEach(async () => {
    const foreign = browser.foreignHosts(...allowedHosts)
    const errors = browser.errors
    await browser.close()
    expect(foreign, 'requests outside the test server').toEqual([])
    expect(errors, 'errors thrown in the page').toEqual([])
  })

  const profileOf = async (userId: string) =>
    (await server.rows('SELECT * FROM users WHERE project_id = ? AND user_id = ?', [server.projectId, userId]))[0]
  const eventNames = async (userPk: unknown) =>
    (await server.rows('SELECT name FROM events WHERE user_pk = ? ORDER BY timestamp, id', [userPk])).map((r) => r.name)
  const call = (page: Page, js: string) => page.evaluate(js)
  /** Waits until a call matching `match` was sent, and returns it. */
  const sentCall = async (match: (m: Sent) => boolean) => {
    await expect.poll(() => browser.sent().some(match), poll).toBe(true)
    return browser.sent().find(match)!
  }

  it('keeps a URL-safe Jimer ID across reloads and makes a new one on reset()', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('ids', server.stubTag()))
    await scriptReady(page)
    const first = await sentCall((m) => m.type === 'page')
    expect(first.anonymousId).toMatch(/^[0-9a-z]{20,}$/)
    expect(await page.evaluate(() => JSON.parse(localStorage.jimer_id))).toBe(first.anonymousId)

    await page.reload()
    await scriptReady(page)
    await expect.poll(() => browser.sent().filter((m) => m.type === 'page').length, poll).toBe(2)
    expect(browser.sent().filter((m) => m.type === 'page')[1].anonymousId).toBe(first.anonymousId)

    await call(page, `jimer.identify('id-user'); jimer.reset(); jimer.track('after_reset')`)
    const after = await sentCall((m) => m.event === 'after_reset')
    expect(after.anonymousId).not.toBe(first.anonymousId)
    expect(after.userId ?? null).toBeNull()
    expect(await page.evaluate(() => JSON.parse(localStorage.jimer_id))).toBe(after.anonymousId)

    // The old device stays with the user; the new Jimer ID starts an anonymous profile.
    await expect.poll(async () => (await profileOf('id-user'))?.id, poll).toBeDefined()
    const user = await profileOf('id-user')
    await expect.poll(async () => (await server.rows('SELECT user_pk FROM devices WHERE anonymous_id = ?', [after.anonymousId]))[0]?.user_pk, poll).toBeDefined()
    const [oldDevice] = await server.rows('SELECT user_pk FROM devices WHERE anonymous_id = ?', [first.anonymousId])
    const [newDevice] = await server.rows('SELECT user_pk FROM devices WHERE anonymous_id = ?', [after.anonymousId])
    expect(oldDevice.user_pk).toBe(user.id)
    expect(newDevice.user_pk).not.toBe(user.id)
  })

  it('merges the anonymous history into the identified user, already known from another device', async () => {
    // The user exists already, identified on a laptop through the server API.
    const laptop = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: server.writeKey, batch: [{ type: 'identify', userId: 'merge-user', anonymousId: 'laptop-device', traits: { plan: 'free' }, timestamp: new Date(Date.now() - 60_000).toISOString() }] }),
    })
    expect(laptop.status).toBe(200)
    const existing = await profileOf('merge-user')

    const page = await browser.page()
    await page.goto(server.fixture('merge', server.stubTag()))
    await scriptReady(page)
    await call(page, `jimer.track('viewed_pricing', { plan: 'pro' })`)
    const anonymousId = (await sentCall((m) => m.event === 'viewed_pricing')).anonymousId
    await expect.poll(async () => (await server.rows('SELECT u.user_id, u.events_count FROM users u JOIN devices d ON d.user_pk = u.id WHERE d.anonymous_id = ?', [anonymousId]))[0], poll)
      .toMatchObject({ user_id: null, events_count: 2 })

    await call(page, `jimer.identify('merge-user', { email: 'merge@example.com', plan: 'pro' })`)
    await expect.poll(async () => (await profileOf('merge-user')).email, poll).toBe('merge@example.com')
    const merged = await profileOf('merge-user')
    expect(merged.id).toBe(existing.id)
    expect(JSON.parse(String(merged.attributes))).toEqual({ plan: 'pro' })
    expect(await eventNames(merged.id)).toEqual(['$identify', '$page', 'viewed_pricing', '$identify'])
    const devices = await server.rows('SELECT anonymous_id FROM devices WHERE user_pk = ? ORDER BY anonymous_id', [merged.id])
    expect(devices.map((d) => d.anonymous_id).sort()).toEqual([anonymousId, 'laptop-device'].sort())
    expect(await server.rows('SELECT id FROM users WHERE anonymous_id = ? AND user_id IS NULL', [anonymousId])).toEqual([])
  })

  it('starts a new Jimer ID when another user identifies in the same browser', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('switch', server.stubTag()))
    await scriptReady(page)
    await call(page, `jimer.identify('first-person'); jimer.identify('second-person')`)
    const second = await sentCall((m) => m.userId === 'second-person')
    const first = browser.sent().find((m) => m.userId === 'first-person')!
    expect(second.anonymousId).not.toBe(first.anonymousId)
    await expect.poll(async () => (await profileOf('second-person'))?.id, poll).toBeDefined()
    expect((await profileOf('second-person')).id).not.toBe((await profileOf('first-person')).id)
  })

  it('lands Jimo-style push calls as the same profile changes as the Jimer API', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('api-calls', server.stubTag() + `<script>
      jimer.identify('api-person')
      jimer.set({ email: 'same@example.com' })
      jimer.set({ name: 'Ann Example' })
      jimer.set({ plan: 'pro', seats: 3 })
    </script>`))
    await scriptReady(page)

    // A site written for Jimo: its queue exists before our script, and keeps working after.
    await page.goto(server.fixture('jimo-calls', `<script>
      window.jimo = []
      jimo.push(['do', 'identify', ['jimo-person', () => { window.identifyCallback = true }]])
      jimo.push(['set', 'user:email', ['same@example.com']])
    </script>` + server.stubTag()))
    await scriptReady(page)
    await call(page, `jimo.push(['set', 'user:name', ['Ann Example']]); jimo.push(['set', 'user:attributes', [{ plan: 'pro', seats: 3 }]])`)
    expect(await page.evaluate(() => (window as any).identifyCallback)).toBe(true)

    const fields = (p: Record<string, unknown>) => ({ email: p.email, name: p.name, attributes: JSON.parse(String(p.attributes)), events: p.events_count })
    await expect.poll(async () => (await profileOf('jimo-person'))?.attributes, poll).toBe('{"plan":"pro","seats":3}')
    await expect.poll(async () => (await profileOf('api-person'))?.attributes, poll).toBe('{"plan":"pro","seats":3}')
    expect(fields(await profileOf('jimo-person'))).toEqual(fields(await profileOf('api-person')))
    expect(fields(await profileOf('jimo-person'))).toEqual({ email: 'same@example.com', name: 'Ann Example', attributes: { plan: 'pro', seats: 3 }, events: 1 })
  })

  it('removeUnspecified unsets only the custom attributes this browser set, and session:reset logs out', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('jimo-remove', `<script>window.jimo = []</script>` + server.stubTag()))
    await scriptReady(page)
    await call(page, `jimo.push(['do', 'identify', ['remover']], ['set', 'user:attributes', [{ plan: 'pro', seats: 3, role: 'admin' }]])`)
    await expect.poll(async () => (await profileOf('remover'))?.attributes, poll).toBe('{"plan":"pro","seats":3,"role":"admin"}')
    // Another source (the server API) adds an attribute the browser never saw.
    await fetch(`${server.url}/v1/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: server.writeKey, userId: 'remover', traits: { crm_score: 7 } }),
    })
    await expect.poll(async () => JSON.parse(String((await profileOf('remover')).attributes)).crm_score, poll).toBe(7)

    await call(page, `jimo.push(['set', 'user:attributes', [{ plan: 'team' }, { removeUnspecified: true }]])`)
    const replaced = await sentCall((m) => m.traits?.plan === 'team')
    expect(replaced.unset?.sort()).toEqual(['role', 'seats'])
    await expect.poll(async () => JSON.parse(String((await profileOf('remover')).attributes)), poll).toEqual({ plan: 'team', crm_score: 7 })

    await call(page, `jimo.push(['do', 'session:reset', []]); jimer.track('logged_out')`)
    const out = await sentCall((m) => m.event === 'logged_out')
    expect(out.userId ?? null).toBeNull()
    expect(out.anonymousId).not.toBe(replaced.anonymousId)
  })

  it('starts a new session after 30 minutes without a call, and sends the device context', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('sessions', server.stubTag()))
    await scriptReady(page)
    const first = await sentCall((m) => m.type === 'page')
    expect(first.context).toMatchObject({
      userAgent: expect.stringContaining('Chrome'),
      locale: expect.any(String),
      timezone: expect.any(String),
      screen: { width: expect.any(Number), height: expect.any(Number) },
      page: { url: `${server.url}/fixture/sessions`, referrer: '', title: 'sessions' },
    })
    const idle = (minutes: number) => page.evaluate((m) => {
      const [id] = JSON.parse(localStorage.jimer_s)
      localStorage.jimer_s = JSON.stringify([id, Date.now() - m * 60_000])
    }, minutes)

    await idle(29)
    await call(page, `jimer.track('within_session')`)
    expect((await sentCall((m) => m.event === 'within_session')).context.sessionId).toBe(first.context.sessionId)
    await idle(31)
    await call(page, `jimer.track('next_session')`)
    const next = await sentCall((m) => m.event === 'next_session')
    expect(next.context.sessionId).not.toBe(first.context.sessionId)
    await expect.poll(async () => (await server.rows('SELECT u.sessions FROM users u JOIN devices d ON d.user_pk = u.id WHERE d.anonymous_id = ?', [first.anonymousId]))[0]?.sessions, poll).toBe(2)
  })

  it('sends a page view when an SPA changes its path or query, not for the hash or the same URL', async () => {
    const page = await browser.page()
    const url = server.fixture('spa', server.stubTag())
    await page.goto(url)
    await scriptReady(page)
    await call(page, `
      history.pushState({}, '', '/fixture/spa?step=2')
      history.replaceState({ scroll: 1 }, '', location.href)
      location.hash = '#details'`)
    await page.evaluate(() => new Promise((ok) => { addEventListener('popstate', ok, { once: true }); history.back() }))
    await page.evaluate(() => new Promise((ok) => { addEventListener('popstate', ok, { once: true }); history.back() }))
    await call(page, `jimer.page('Checkout', { step: 3 }); jimer.track('done')`)
    await sentCall((m) => m.event === 'done')

    const pages = browser.sent().filter((m) => m.type === 'page')
    expect(pages.map((m) => [m.name ?? null, m.properties?.url, m.context.page.referrer])).toEqual([
      [null, url, ''],
      [null, `${url}?step=2`, url],
      [null, url, `${url}?step=2`],
      ['Checkout', url, url],
    ])
    expect(pages[3].properties).toEqual({ url, step: 3 })
  })

  it('never throws into the page, whatever it is given, and adds no global but jimer', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('bare', ''))
    const bare = await page.evaluate(() => Object.getOwnPropertyNames(window))
    // The script on its own, without the stub: a plain async tag with data-key.
    await page.goto(server.fixture('plain-tag', `<script async src="/s.js?v=${server.build.hash}" data-key="${server.writeKey}"></script>`))
    await page.waitForFunction(() => (window as any).jimer)
    const added = await page.evaluate((before) => Object.getOwnPropertyNames(window).filter((k) => !before.includes(k)), bare)
    expect(added).toEqual(['jimer'])

    const outcomes = await page.evaluate(() => {
      const j = (window as any).jimer
      const circular: any = {}
      circular.self = circular
      const attempts = [
        () => j.track(), () => j.track('circular', circular), () => j.track('big', { n: 10n }), () => j.identify({}),
        () => j.identify('undefined'), () => j.identify(null, 'not traits'), () => j.push('nonsense'), () => j.push(['no_such_method']),
        () => j.page(null, 5), () => j.experience(), () => j.response(), () => j.ready('not a function'), () => j.set(null),
        () => history.pushState(null, '', '/fixture/plain-tag?after=1'),
      ]
      return attempts.map((f) => { try { f(); return 'ok' } catch (e) { return String(e) } })
    })
    expect(outcomes.every((o) => o === 'ok')).toBe(true)
    await call(page, `jimer.track('still_works')`)
    const ok = await sentCall((m) => m.event === 'still_works')
    expect(ok.userId ?? null).toBeNull()
    await expect.poll(async () => (await server.rows('SELECT name FROM events WHERE anonymous_id = ? AND name = ?', [ok.anonymousId, 'still_works'])).length, poll).toBe(1)
  })

  it('runs once when the stub is pasted twice and the script tag is added again', async () => {
    const page = await browser.page()
    await page.goto(server.fixture('double', server.stubTag() + server.stubTag() + `<script async src="/s.js?v=${server.build.hash}" data-key="${server.writeKey}"></script>`))
    await scriptReady(page)
    await call(page, `jimer.track('marker')`)
    const marker = await sentCall((m) => m.event === 'marker')
    await expect.poll(async () => (await server.rows('SELECT name FROM events WHERE anonymous_id = ? ORDER BY id', [marker.anonymousId])).map((e) => e.name), poll)
      .toEqual(['$page', 'marker'])
    expect(browser.requests.filter((r) => r.url().includes('/s.js')).length).toBeGreaterThanOrEqual(1)
  })

  it('sends the identity hash on identify, so a project that requires it accepts the user and refuses a wrong hash', async () => {
    const [{ secret_key: secret }] = await server.rows('SELECT secret_key FROM projects WHERE id = ?', [server.projectId])
    await server.rows(`UPDATE projects SET verification = 'required' WHERE id = ?`, [server.projectId])
    try {
      const page = await browser.page()
      await page.goto(server.fixture('verified', server.stubTag()))
      await scriptReady(page)
      const hash = await userHash(String(secret), 'verified-user')
      await call(page, `jimer.identify('verified-user', { email: 'v@example.com' }, { hash: ${JSON.stringify(hash)} }); jimer.track('verified_click')`)
      const identify = await sentCall((m) => m.userId === 'verified-user')
      expect(identify.context.userHash).toBe(hash)
      await expect.poll(async () => (await profileOf('verified-user'))?.email, poll).toBe('v@example.com')
      await expect.poll(async () => eventNames((await profileOf('verified-user')).id), poll).toEqual(['$page', '$identify', 'verified_click'])

      // A wrong hash: the identify is refused, and the calls after it still land, anonymously.
      await call(page, `jimer.identify('impostor', {}, { hash: 'not-the-hash' }); jimer.track('impostor_click')`)
      const click = await sentCall((m) => m.event === 'impostor_click')
      await expect.poll(async () => (await server.rows('SELECT name FROM events WHERE anonymous_id = ?', [click.anonymousId])).map((e) => e.name), poll).toEqual(['impostor_click'])
      expect(await profileOf('impostor')).toBeUndefined()
    } finally {
      await server.rows(`UPDATE projects SET verification = 'optional' WHERE id = ?`, [server.projectId])
    }
  })

  it('runs on /demo under a strict CSP, from the same-origin stub file', async () => {
    const page = await browser.page()
    const violations: string[] = []
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()) })
    const response = await page.goto(`${server.url}/demo`)
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.locator('#log', { hasText: 'snippet loaded' }).waitFor()
    await page.click('#track')
    await page.fill('input[name=userId]', 'demo-visitor')
    await page.fill('input[name=email]', 'demo@example.com')
    await page.click('form#identify button')
    await expect.poll(async () => (await profileOf('demo-visitor'))?.email, poll).toBe('demo@example.com')
    const profile = await profileOf('demo-visitor')
    expect(await eventNames(profile.id)).toEqual(['$page', 'demo_clicked', '$identify'])
    expect(browser.requests.some((r) => r.url().endsWith(`/s.js?v=${server.build.hash}`))).toBe(true)
    expect(violations).toEqual([])
  })

  it('works from a customer site on another origin, with simple (text/plain) requests', async () => {
    // The customer's site: another origin (a second local server, so Chromium's Private
    // Network Access rules see the same address space as a public site would).
    const shop = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(`<!doctype html><html><head><title>Shop</title>${server.stubTag()}</head><body>shop</body></html>`)
    })
    await new Promise<void>((ok) => shop.listen(0, '127.0.0.1', ok))
    const shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/cart`
    allowedHosts.push(new URL(shopUrl).host)
    try {
      const page = await browser.page()
      await page.goto(shopUrl)
      await scriptReady(page)
      await call(page, `jimer.identify('shopper', { email: 'shop@example.com' }); jimer.track('checkout', { total: 42 })`)
      const checkout = await sentCall((m) => m.event === 'checkout')
      expect(checkout.context.page.url).toBe(shopUrl)
      const batches = browser.requests.filter((r) => r.url().endsWith('/v1/batch'))
      for (const r of batches) expect(r.headers()['content-type']).toMatch(/^text\/plain/)
      expect(browser.requests.filter((r) => r.method() === 'OPTIONS')).toEqual([])
      await expect.poll(async () => (await profileOf('shopper'))?.email, poll).toBe('shop@example.com')
      expect(await page.evaluate(() => (window as any).jimer.segments())).toEqual([])
    } finally {
      shop.closeAllConnections() // Chromium keeps its connection open
      await new Promise((ok) => shop.close(ok))
    }
  })
})
