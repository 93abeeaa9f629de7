// Browser tests of the snippet: the real Node server (in-process, port 0, its own database)
// serving the minified dist/s.js and fixture pages, driven by Debian's Chromium.
import { type BrowserContext, type Page, type Request } from 'playwright-core'
import { launchChromium } from './chromium.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSnippet } from '../../scripts/build-snippet.mjs'
import { fillStub } from '../../worker/src/routes/demo.js'
import { startNode } from '../../worker/src/node.js'

/** A message as the snippet sends it (see snippet/src/wire.ts). */
export interface Sent {
  type: string
  messageId: string
  anonymousId: string
  userId?: string | null
  event?: string
  name?: string
  traits?: Record<string, unknown>
  properties?: Record<string, unknown>
  unset?: string[]
  context: Record<string, any>
}

export async function startSnippetServer() {
  const build = await buildSnippet()
  const dir = mkdtempSync(join(tmpdir(), 'jimer-e2e-'))
  const node = await startNode({ dbPath: join(dir, 'jimer.db'), port: 0, adminPassword: 'e2e password' })
  const writeKey = node.boot.writeKey
  const pages = new Map<string, string>()
  // Registered before the first request, while Hono still accepts routes.
  node.app.get('/fixture/:name', (c) => c.html(pages.get(c.req.param('name')) ?? 'no such fixture', pages.has(c.req.param('name')) ? 200 : 404))

  /** The stub exactly as a customer pastes it, pointing at this server. */
  const stubTag = (src = `${node.url}/s.js?v=${build.hash}`) => `<script>${fillStub(node.snippet.stub, writeKey, src)}</script>`

  return {
    url: node.url,
    host: new URL(node.url).host,
    writeKey,
    projectId: node.boot.projectId,
    db: node.client,
    build,
    stubTag,
    /** Serves `head` (plus a title) at /fixture/<name> and returns its URL. */
    fixture(name: string, head: string, body = '') {
      pages.set(name, `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title>${head}</head><body>${body}</body></html>`)
      return `${node.url}/fixture/${name}`
    },
    rows: async (sql: string, args: unknown[] = []) => (await node.client.execute({ sql, args: args as never })).rows,
    async close() {
      await node.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type SnippetServer = Awaited<ReturnType<typeof startSnippetServer>>

/**
 * A fresh Chromium profile (RUNTIME.md), recording every request it makes and every
 * error its pages throw. `--host-resolver-rules` stops lookups of any outside host.
 */
export async function launchBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-chromium-'))
  const context: BrowserContext = await launchChromium(dir)
  const requests: Request[] = []
  const errors: Error[] = []
  context.on('request', (r) => void requests.push(r))
  context.on('weberror', (e) => void errors.push(e.error()))
  const watch = (page: Page) => page.on('pageerror', (e) => void errors.push(e))
  context.pages().forEach(watch)
  context.on('page', watch)
  return {
    context,
    requests,
    errors,
    async page(): Promise<Page> {
      return context.pages()[0] ?? context.newPage()
    },
    /**
     * The calls the pages sent to /v1/batch, once each (by messageId), in the order first
     * sent. A call may go out more than once (a retry, a beacon, a reload before the answer);
     * the server stores it once, so tests count calls, not requests.
     */
    sent(): Sent[] {
      const all = requests.filter((r) => r.url().endsWith('/v1/batch')).flatMap((r) => (JSON.parse(r.postData() ?? '{}').batch ?? []) as Sent[])
      const once = new Map<string, Sent>()
      for (const m of all) if (!once.has(m.messageId)) once.set(m.messageId, m)
      return [...once.values()]
    },
    /** Hosts other than `allowed` that a page asked for. */
    foreignHosts(...allowed: string[]) {
      return [...new Set(requests.map((r) => new URL(r.url()).host))].filter((h) => !allowed.includes(h))
    },
    async close() {
      await context.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type Browser = Awaited<ReturnType<typeof launchBrowser>>

/** Resolves once the script has loaded and replayed the queue. */
export const scriptReady = (page: Page) => page.evaluate(() => new Promise<void>((ok) => (window as any).jimer.ready(ok)))
