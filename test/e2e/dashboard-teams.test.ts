import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'

const SHOTS = resolve(import.meta.dirname, '../../.tmp/screenshots')
const VERA = { email: 'vera@example.com', password: 'vera has a long password' }

/**
 * Issue 15 in Chromium: an admin invites a viewer; the viewer accepts in a second browser,
 * sees the project read-only and is refused writes; the admin promotes them to editor and
 * they tag a user; the audit log lists each step with the right actor.
 */
describe('a team in the dashboard', () => {
  let server: DashboardServer
  let adminBrowser: DashboardBrowser
  let veraBrowser: DashboardBrowser
  let admin: Page
  let vera: Page
  let link: string
  let userPk: number
  const settings = () => `${server.url}/p/${server.projectId}/settings`
  /** A same-origin JSON call from the page, as the dashboard makes it. */
  const call = (page: Page, method: string, path: string, body?: unknown) =>
    page.evaluate(async ([m, p, b]) => (await fetch(p, { method: m, headers: { 'content-type': 'application/json' }, body: b })).status, [method, path, body === undefined ? undefined : JSON.stringify(body)] as const)

  beforeAll(async () => {
    server = await startDashboardServer()
    await server.send([{ type: 'identify', userId: 'u-1', traits: { name: 'Tagged Person', email: 'tp@example.com' } }])
    userPk = Number((await server.rows('SELECT id FROM users WHERE user_id = ?', ['u-1']))[0].id)
    adminBrowser = await openBrowser()
    veraBrowser = await openBrowser()
    admin = await adminBrowser.page()
    vera = await veraBrowser.page()
  })
  afterEach(() => {
    expectCleanPage(adminBrowser, server)
    expectCleanPage(veraBrowser, server)
  })
  afterAll(async () => {
    await adminBrowser?.close()
    await veraBrowser?.close()
    await server?.close()
  })

  it('lets an admin invite a viewer and shows the single-use link to copy', async () => {
    await signIn(admin, server.url)
    await admin.goto(settings())
    await admin.getByLabel('Email to invite').fill(VERA.email)
    await admin.getByLabel('Role to invite as').selectOption('viewer')
    await admin.getByRole('button', { name: 'Invite', exact: true }).click()
    link = await admin.getByLabel('Invitation link').inputValue()
    expect(link).toMatch(new RegExp(`^${server.url}/invite#[A-Za-z0-9_-]{43}$`))
    await expect.poll(() => admin.getByTestId('invitation-row').allTextContents()).toEqual([expect.stringContaining(VERA.email)])
    await admin.getByRole('heading', { name: 'Members' }).scrollIntoViewIfNeeded()
    await shot(admin, 'teams-members-invited')
  })

  it('lets the viewer accept in another browser, and shows the project read-only', async () => {
    await vera.goto(link)
    await expect.poll(() => vera.getByTestId('invite-project').textContent()).toBe('My project')
    // The token leaves the address bar: it is not in history or a screenshot.
    expect(new URL(vera.url()).hash).toBe('')
    await shot(vera, 'teams-accept-invitation')
    await vera.getByLabel('Choose a password').fill(VERA.password)
    await vera.getByRole('button', { name: 'Accept invitation' }).click()
    await vera.locator('.role-badge.viewer').waitFor()
    expect(new URL(vera.url()).pathname).toBe(`/p/${server.projectId}/users`)
    await vera.goto(settings())
    await vera.getByRole('heading', { name: 'Members' }).waitFor()
    expect(await vera.getByRole('button', { name: /^(Delete|Remove|Revoke|Invite|Create token)/ }).count()).toBe(0)
    expect(await vera.getByRole('heading', { name: 'Audit log' }).count()).toBe(0)
    expect(await call(vera, 'POST', `/api/projects/${server.projectId}/users/${userPk}/tags`, { name: 'from a viewer' })).toBe(403)
    expect(await call(vera, 'DELETE', `/api/projects/${server.projectId}/users/${userPk}`)).toBe(403)
    // The link was for one use.
    await admin.goto(settings())
    await expect.poll(() => admin.getByTestId('invitation-row').count()).toBe(0)
  })

  it('lets the admin promote the viewer to editor, who can then tag', async () => {
    await admin.getByLabel(`Role of ${VERA.email}`).selectOption('editor')
    await expect.poll(async () => (await server.rows(`SELECT m.role FROM project_members m JOIN accounts a ON a.id = m.account_id WHERE a.email = ?`, [VERA.email]))[0]?.role).toBe('editor')
    await vera.goto(`${server.url}/p/${server.projectId}/users`)
    await vera.locator('.role-badge.editor').waitFor()
    expect(await call(vera, 'POST', `/api/projects/${server.projectId}/users/${userPk}/tags`, { name: 'vip' })).toBe(201)
    expect((await server.rows('SELECT t.name FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.user_pk = ?', [userPk])).map((r) => r.name)).toEqual(['vip'])
  })

  it('lists each step in the audit log with the right actor, and filters it', async () => {
    await admin.goto(settings())
    const rows = admin.getByTestId('audit-row')
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4)
    const steps = async () => (await rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('.audit-action')!.textContent, tr.querySelector('.audit-actor')!.textContent]))).reverse()
    expect(await steps()).toEqual([
      ['invitation.create', ADMIN.email],
      ['invitation.accept', VERA.email],
      ['member.update', ADMIN.email],
      ['tag.create', VERA.email],
      ['user.tag', VERA.email],
    ])
    await admin.getByLabel('Filter by actor').fill(VERA.email)
    await admin.getByLabel('Filter by actor').press('Enter')
    await admin.getByLabel('Filter by object type').selectOption('user')
    await expect.poll(steps).toEqual([['user.tag', VERA.email]])
    await admin.getByLabel('Filter by actor').fill('')
    await admin.getByLabel('Filter by actor').press('Enter')
    await admin.getByLabel('Filter by object type').selectOption('')
    await expect.poll(() => rows.count()).toBe(5)
    // The card, not the viewport: it sits below the fold.
    mkdirSync(SHOTS, { recursive: true })
    await admin.locator('section.audit').screenshot({ path: join(SHOTS, 'teams-audit-log.png'), animations: 'disabled' })
  })
})
