import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, expectCleanPage, openBrowser, shot, signIn, startDashboardServer, type DashboardBrowser, type DashboardServer } from './dashboard-harness.js'
import { seed } from './dashboard-seed.js'

const VIEWER = { email: 'viewer@example.com', password: 'viewer password 1' }
const MEMBER_A = { email: 'member-a@example.com', password: 'member password 1' }

describe('sign-in, roles, projects and settings in Chromium', () => {
  let server: DashboardServer
  let browser: DashboardBrowser
  let page: Page
  let projectB: { id: string; writeKey: string }
  /** A same-origin call from the signed-in page, as the dashboard itself makes it. */
  const call = (method: string, path: string) =>
    page.evaluate(async ([m, p]) => (await fetch(p, { method: m, headers: { 'content-type': 'application/json' } })).status, [method, path] as const)
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.getByRole('heading', { name: 'Sign in to Jimer' }).waitFor()
  }

  beforeAll(async () => {
    server = await startDashboardServer()
    await seed(server)
    projectB = await server.addProject('Other company')
    await server.send([{ type: 'identify', userId: 'bella', traits: { name: 'Bella of B', email: 'bella@b.example' } }], projectB.writeKey)
    await server.addAccount(VIEWER.email, VIEWER.password, [{ projectId: server.projectId, role: 'viewer' }])
    await server.addAccount(MEMBER_A.email, MEMBER_A.password, [{ projectId: server.projectId, role: 'editor' }])
    await server.addMembership(ADMIN.email, projectB.id, 'admin')
    browser = await openBrowser()
    page = await browser.page()
  })
  afterEach(() => expectCleanPage(browser, server))
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('sends a signed-out visitor to sign in, refuses a wrong password, then returns to the page asked for', async () => {
    const res = await page.goto(`${server.url}/p/${server.projectId}/users?q=ann`)
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.getByRole('heading', { name: 'Sign in to Jimer' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong email or password.')
    await shot(page, 'sign-in-error')
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByTestId('users-found').textContent()).toBe('1 user found')
    expect(new URL(page.url()).search).toBe('?q=ann')
  })

  it('switches between the projects an account belongs to', async () => {
    const switcher = page.getByLabel('Project', { exact: true })
    expect(await switcher.locator('option').allTextContents()).toEqual(['My project', 'Other company'])
    await switcher.selectOption({ label: 'Other company' })
    await expect.poll(() => page.getByTestId('users-found').textContent()).toBe('1 user found')
    expect(await page.locator('tr.user-row .user-name').allTextContents()).toEqual(['Bella of B'])
    await switcher.selectOption({ label: 'My project' })
    await expect.poll(() => page.getByTestId('users-found').textContent()).not.toBe('1 user found')
  })

  it('shows the settings: keys with the secret masked until revealed, rotation, origins, verification, the snippet', async () => {
    await page.getByRole('link', { name: 'Settings' }).click()
    await expect.poll(() => page.getByTestId('write-key').textContent()).toBe(server.writeKey)
    expect(await page.getByTestId('secret-key').textContent()).toMatch(/^sk_•+$/)
    expect(await page.locator('pre.snippet').textContent()).toContain(server.writeKey)
    await shot(page, 'settings')
    await page.getByRole('button', { name: 'Reveal secret key' }).click()
    const [{ secret_key: secret }] = await server.rows('SELECT secret_key FROM projects WHERE id = ?', [server.projectId])
    expect(await page.getByTestId('secret-key').textContent()).toBe(secret)

    await page.getByRole('button', { name: 'Rotate' }).first().click()
    await page.getByRole('dialog', { name: 'Rotate the write key?' }).getByRole('button', { name: 'Rotate' }).click()
    await expect.poll(() => page.getByTestId('write-key').textContent()).not.toBe(server.writeKey)
    const [{ write_key: rotated }] = await server.rows('SELECT write_key FROM projects WHERE id = ?', [server.projectId])
    expect(await page.getByTestId('write-key').textContent()).toBe(rotated)

    await page.getByLabel('Origin to allow').fill('https://app.example.com')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.getByRole('button', { name: 'Save origins' }).click()
    await expect.poll(async () => (await server.rows('SELECT allowed_origins FROM projects WHERE id = ?', [server.projectId]))[0].allowed_origins).toBe('["https://app.example.com"]')
    await page.getByRole('radio', { name: /Required/ }).check()
    await expect.poll(async () => (await server.rows('SELECT verification FROM projects WHERE id = ?', [server.projectId]))[0].verification).toBe('required')

    await page.getByLabel('Attribute key').fill('plan')
    await page.getByRole('button', { name: 'Declare', exact: true }).click()
    await expect.poll(() => page.locator('section', { hasText: 'Custom attributes' }).locator('tbody').first().textContent()).toContain('plan')
    await shot(page, 'settings-after-changes')
  })

  it('lets a viewer look but not change or delete, and the API refuses them too', async () => {
    await signOut()
    await signIn(page, server.url, VIEWER)
    await expect.poll(() => page.getByTestId('users-found').textContent()).toMatch(/users found/)
    expect(await page.locator('tr.user-row .trash').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'New Segment' }).count()).toBe(0)
    expect(await page.locator('.tag-add').count()).toBe(0)
    await page.locator('tr.user-row', { hasText: 'Ann Archer' }).click()
    const panel = page.getByRole('complementary', { name: 'User profile' })
    await panel.getByRole('button', { name: 'More actions' }).click()
    expect((await page.getByRole('menuitem').allTextContents()).map((t) => t.trim())).toEqual(['Export JSON'])
    expect(await panel.getByRole('button', { name: 'Tag user' }).count()).toBe(0)
    await shot(page, 'users-viewer')
    await page.keyboard.press('Escape')
    const [{ id }] = await server.rows(`SELECT id FROM users WHERE user_id = 'ann'`)
    expect(await call('DELETE', `/api/projects/${server.projectId}/users/${id}`)).toBe(403)
    expect(await server.rows(`SELECT 1 FROM users WHERE user_id = 'ann'`)).toHaveLength(1)
  })

  it('keeps a member of project A out of project B, in the UI and in the API', async () => {
    await signOut()
    await signIn(page, server.url, MEMBER_A)
    expect(await page.getByLabel('Project', { exact: true }).locator('option').allTextContents()).toEqual(['My project'])
    await page.goto(`${server.url}/p/${projectB.id}/users`)
    await page.getByText("You don't have access to this project").waitFor()
    expect(await page.textContent('body')).not.toContain('Bella')
    await shot(page, 'no-access')
    expect(await call('GET', `/api/projects/${projectB.id}/users`)).toBe(403)
    expect(await call('GET', `/api/projects/${projectB.id}/settings`)).toBe(403)
  })

  it('signs out: the session ends on the server too', async () => {
    await page.goto(`${server.url}/p/${server.projectId}/users`)
    await signOut()
    expect(await call('GET', '/api/auth/me')).toBe(401)
    await page.goto(`${server.url}/p/${server.projectId}/segments`)
    await page.getByRole('heading', { name: 'Sign in to Jimer' }).waitFor()
  })
})
