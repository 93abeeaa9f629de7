// Issue 14, item 1: Segment's browser SDK (@segment/analytics-next, the analytics.js most
// sites run), installed from npm and bundled with esbuild, on a site of another origin,
// pointed at Jimer by `apiHost` and nothing else. Real Chromium, the real Node server.
import { build } from 'esbuild'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchBrowser, startSnippetServer, type Browser, type SnippetServer } from './snippet-harness.js'

const poll = { timeout: 20_000 }

/** A site on its own origin (another port) serving the bundle and a page that loads it with `settings`. */
async function startSite(bundle: string) {
  const pages = new Map<string, string>()
  const server: Server = createServer((req, res) => {
    if (req.url === '/analytics.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle)
    const page = pages.get(req.url ?? '')
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found')
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    host: new URL(url).host,
    /** A page that loads analytics.js with these Segment.io settings, then runs `script`. */
    page(name: string, settings: Record<string, unknown>, script: string) {
      pages.set(`/${name}`, `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title>
        <script src="/analytics.js"></script>
        <script>
          window.analytics = AnalyticsBrowser.load({ writeKey: ${JSON.stringify(settings.apiKey)}, cdnSettings: { integrations: { 'Segment.io': ${JSON.stringify(settings)} } } })
          ${script}
        </script></head><body>${name}</body></html>`)
      return `${url}/${name}`
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}

describe('Segment analytics.js against Jimer (Chromium)', { timeout: 90_000 }, () => {
  let jimer: SnippetServer
  let site: Awaited<ReturnType<typeof startSite>>
  let browser: Browser
  beforeAll(async () => {
    jimer = await startSnippetServer()
    const out = await build({ entryPoints: [resolve(import.meta.dirname, 'clients/analytics-next-entry.ts')], bundle: true, format: 'iife', platform: 'browser', write: false, minify: true, logLevel: 'silent' })
    site = await startSite(out.outputFiles[0].text)
  }, 60_000)
  afterAll(async () => { await site?.close(); await jimer?.close() })
  beforeEach(async () => { browser = await launchBrowser() })
  afterEach(async () => {
    const foreign = browser.foreignHosts(site.host, jimer.host)
    const errors = browser.errors
    await browser.close()
    expect(foreign, 'requests outside the site and Jimer').toEqual([])
    expect(errors, 'errors thrown in the page').toEqual([])
  })

  const profiles = async (userId: string) => jimer.rows('SELECT * FROM users WHERE project_id = ? AND user_id = ?', [jimer.projectId, userId])
  const eventNames = async (userPk: unknown) => (await jimer.rows('SELECT name FROM events WHERE user_pk = ? ORDER BY timestamp, id', [userPk])).map((r) => r.name).sort()
  const collectorCalls = () => browser.requests.filter((r) => r.url().startsWith(jimer.url + '/v1/'))
  const settings = () => ({ apiKey: jimer.writeKey, apiHost: `${jimer.host}/v1`, protocol: 'http' })
  const script = `
    analytics.page('Pricing')
    analytics.identify('sg-USER', { email: 'ann@example.com', plan: 'pro' })
    analytics.track('Plan Chosen', { plan: 'pro', seats: 3 }, { context: { traits: { role: 'owner' } } })`

  it('lands page, identify and track on one profile through the one-letter paths, with text/plain bodies', async () => {
    const page = await browser.page()
    await page.goto(site.page('standard', settings(), script.replaceAll('sg-USER', 'sg-standard')))
    await expect.poll(async () => (await profiles('sg-standard'))[0]?.events_count, poll).toBe(2)
    const [profile, ...more] = await profiles('sg-standard')
    expect(more).toEqual([])
    expect(profile).toMatchObject({ email: 'ann@example.com' })
    expect(JSON.parse(String(profile.attributes))).toEqual({ plan: 'pro', role: 'owner' })
    expect(await eventNames(profile.id)).toEqual(['$identify', '$page', 'Plan Chosen'])
    // The anonymous page view and the identified calls are one device, one profile.
    const devices = await jimer.rows('SELECT anonymous_id FROM devices WHERE user_pk = ?', [profile.id])
    expect(devices).toHaveLength(1)
    expect(await jimer.rows('SELECT count(*) AS n FROM users WHERE project_id = ?', [jimer.projectId]).then((r) => Number(r[0].n))).toBe(1)
    const posts = collectorCalls().filter((r) => r.method() === 'POST')
    expect(new Set(posts.map((r) => new URL(r.url()).pathname))).toEqual(new Set(['/v1/p', '/v1/i', '/v1/t']))
    expect(new Set(posts.map((r) => r.headers()['content-type']))).toEqual(new Set(['text/plain']))
  })

  it('stores what its batching mode sends to /v1/b once', async () => {
    const page = await browser.page()
    const batching = { ...settings(), deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 200 } } }
    await page.goto(site.page('batching', batching, script.replaceAll('sg-USER', 'sg-batch')))
    await expect.poll(async () => (await profiles('sg-batch'))[0]?.events_count, poll).toBe(2)
    const [profile] = await profiles('sg-batch')
    expect(await eventNames(profile.id)).toEqual(['$identify', '$page', 'Plan Chosen'])
    expect(new Set(collectorCalls().filter((r) => r.method() === 'POST').map((r) => new URL(r.url()).pathname))).toEqual(new Set(['/v1/b']))
  })
})
