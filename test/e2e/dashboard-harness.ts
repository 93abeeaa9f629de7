// Browser tests of the dashboard: the real Node server (in-process, port 0, its own
// database) serving the minified build, data sent through the public collector, driven by
// Debian's Chromium with the same launch settings as the snippet tests.
import { type BrowserContext, type Page, type Request } from 'playwright-core'
import { launchChromium } from './chromium.js'
import { expect } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildDashboard } from '../../scripts/build-dashboard.mjs'
import { hashPassword, randomToken } from '../../worker/src/auth/crypto.js'
import { startNode } from '../../worker/src/node.js'

export const ADMIN = { email: 'admin@localhost', password: 'dashboard e2e password' }
const SHOTS = resolve(import.meta.dirname, '../../.tmp/screenshots')

export async function startDashboardServer(opts: { webhooksAllowPrivate?: boolean } = {}) {
  await buildDashboard()
  const dir = mkdtempSync(join(tmpdir(), 'jimer-dash-'))
  const node = await startNode({ dbPath: join(dir, 'jimer.db'), port: 0, adminPassword: ADMIN.password, webhooksAllowPrivate: opts.webhooksAllowPrivate })
  const rows = async (sql: string, args: unknown[] = []) => (await node.client.execute({ sql, args: args as never })).rows

  return {
    url: node.url,
    host: new URL(node.url).host,
    projectId: node.boot.projectId,
    writeKey: node.boot.writeKey,
    rows,
    /** Sends messages through the public collector, as a site or server SDK would. */
    async send(batch: Record<string, unknown>[], writeKey = node.boot.writeKey) {
      const res = await fetch(`${node.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey, batch }) })
      const body = (await res.json()) as { rejected?: unknown[] }
      if (!res.ok || body.rejected?.length) throw new Error(`batch refused: ${res.status} ${JSON.stringify(body)}`)
    },
    /** A second project, with its own write key. */
    async addProject(name: string) {
      const id = 'prj_' + randomToken(9)
      const writeKey = 'wk_' + randomToken(18)
      await node.client.execute({ sql: `INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES (?, ?, ?, ?, ?)`, args: [id, name, writeKey, 'sk_' + randomToken(24), Date.now()] })
      return { id, writeKey }
    },
    /** An account that is a member of the given projects with a role. */
    async addAccount(email: string, password: string, memberships: { projectId: string; role: 'viewer' | 'editor' | 'admin' }[]) {
      const id = 'acc_' + randomToken(9)
      await node.client.execute({ sql: 'INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)', args: [id, email, await hashPassword(password), Date.now()] })
      for (const m of memberships) await node.client.execute({ sql: 'INSERT INTO project_members (project_id, account_id, role) VALUES (?, ?, ?)', args: [m.projectId, id, m.role] })
      return { email, password }
    },
    /** Adds an existing account (by email) to a project. */
    async addMembership(email: string, projectId: string, role: 'viewer' | 'editor' | 'admin') {
      await node.client.execute({ sql: 'INSERT INTO project_members (project_id, account_id, role) SELECT ?, id, ? FROM accounts WHERE email = ?', args: [projectId, role, email] })
    },
    async close() {
      await node.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type DashboardServer = Awaited<ReturnType<typeof startDashboardServer>>

/**
 * A fresh Chromium profile recording every request, page error and CSP violation.
 * `--host-resolver-rules` stops lookups of any outside host.
 */
export async function openBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-chromium-'))
  const context: BrowserContext = await launchChromium(dir, { viewport: { width: 1440, height: 900 } })
  const requests: Request[] = []
  const errors: string[] = []
  const violations: string[] = []
  const dialogs: string[] = []
  context.on('request', (r) => void requests.push(r))
  context.on('weberror', (e) => void errors.push(String(e.error())))
  // The page reports its own CSP violations to the console; the init script runs outside the CSP.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
  })
  const watch = (page: Page) => {
    // Fail fast with the locator in the message, well inside the test's own timeout.
    page.setDefaultTimeout(8_000)
    page.on('pageerror', (e) => void errors.push(String(e)))
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|CSP violation|Refused to/i.test(m.text())) violations.push(m.text())
    })
    // Any alert / confirm is a failure (an XSS would open one); dismiss it so the test goes on.
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
  }
  context.pages().forEach(watch)
  context.on('page', watch)
  return {
    context,
    requests,
    errors,
    violations,
    dialogs,
    async page(): Promise<Page> {
      return context.pages()[0] ?? context.newPage()
    },
    /** Hosts other than `allowed` that a page asked for. */
    foreignHosts(...allowed: string[]) {
      return [...new Set(requests.map((r) => new URL(r.url()).host))].filter((h) => h && !allowed.includes(h))
    },
    async close() {
      await context.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type DashboardBrowser = Awaited<ReturnType<typeof openBrowser>>

export async function signIn(page: Page, url: string, who: { email: string; password: string } = ADMIN) {
  await page.goto(`${url}/sign-in`)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).or(page.locator('.sidebar')).first().waitFor()
}

/** Saves a screenshot to .tmp/screenshots/<name>.png (git-ignored) for a person to look at. */
export async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true })
  // Fonts and the chart's canvas are drawn by now; animations are not worth waiting for.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false, animations: 'disabled' })
}

/** After every step: nothing fetched from another host, no script error, no CSP violation, no alert. */
export function expectCleanPage(browser: DashboardBrowser, server: DashboardServer) {
  expect(browser.foreignHosts(server.host)).toEqual([])
  expect(browser.errors).toEqual([])
  expect(browser.violations).toEqual([])
  expect(browser.dialogs).toEqual([])
}
