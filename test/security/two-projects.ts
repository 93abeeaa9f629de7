import { expect } from 'vitest'
import { hashPassword } from '../../worker/src/auth/crypto.js'
import { testApp } from '../helpers/test-app.js'
import { fanOut } from '../../worker/src/webhooks/fan-out.js'

/** The dashboard's own origin in these tests (app.request resolves paths against it). */
export const ORIGIN = 'http://localhost'
export const PASSWORD = 'correct horse battery'

/** The ids of one project's seeded objects, by the name of the path parameter they fill. */
export interface Ids {
  projectId: string; userPk: number; segmentId: number; tagId: number; importId: number; key: string
  /** A member who is not the project's only admin; a pending invitation; an API token (read scope). */
  accountId: string; invitationId: string; tokenId: string
  /** A webhook endpoint and one delivery in its log. */
  webhookId: string; deliveryId: number
  /** A merge of the past, undone already (so that calling its undo changes nothing). */
  mergeId: number
  /** A dynamic segment (edit impact takes only those). */
  dynamicSegmentId: number
}

export interface Project {
  ids: Ids
  writeKey: string
  secretKey: string
  /** The users' own ids and emails (for body references such as `userIds`). */
  userIds: string[]
  emails: string[]
}

type TestApp = Awaited<ReturnType<typeof testApp>>

/** Who calls: a session cookie, a server key, or nothing. */
export type Caller = { cookie: string } | { bearer: string } | { header: Record<string, string> } | null

export interface Reply { status: number; code: string | undefined; text: string; setCookie: string | null }

/**
 * Every request of the security tests goes through here: it counts them, and reads the
 * body once so a test can look for leaked data in it.
 */
export function client(app: TestApp['app']) {
  let requests = 0
  const send = async (method: string, path: string, opts: { caller?: Caller; origin?: string | null; headers?: Record<string, string>; body?: BodyInit | null; json?: unknown; base?: string } = {}): Promise<Reply> => {
    requests++
    const headers: Record<string, string> = {}
    const caller = opts.caller ?? null
    if (caller && 'cookie' in caller) headers.cookie = `jimer_session=${caller.cookie}`
    if (caller && 'bearer' in caller) headers.authorization = `Bearer ${caller.bearer}`
    if (caller && 'header' in caller) Object.assign(headers, caller.header)
    // A browser's same-origin fetch of a change carries Origin; reads do not need it.
    const origin = opts.origin === undefined ? (method === 'GET' ? null : ORIGIN) : opts.origin
    if (origin !== null) headers.origin = origin
    let body = opts.body ?? null
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(opts.json)
    }
    Object.assign(headers, opts.headers)
    const res = await app.request(`${opts.base ?? ORIGIN}${path}`, { method, headers, body })
    const text = await res.text()
    let code: string | undefined
    try { code = JSON.parse(text)?.error?.code } catch { /* not JSON: a file */ }
    return { status: res.status, code, text, setCookie: res.headers.get('set-cookie') }
  }
  return { send, count: () => requests }
}

/** The session token from a Set-Cookie header. */
export const sessionOf = (setCookie: string | null) => /jimer_session=([^;]*)/.exec(setCookie ?? '')?.[1] || undefined

export async function signIn(t: TestApp, email: string, password: string): Promise<string> {
  const r = await t.app.request(`${ORIGIN}/api/auth/login`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  expect(r.status, `sign in as ${email}`).toBe(200)
  return sessionOf(r.headers.get('set-cookie'))!
}

export async function addAccount(t: TestApp, email: string, memberships: [projectId: string, role: 'viewer' | 'editor' | 'admin'][]) {
  const id = `acc_${email.replace(/\W/g, '_')}`
  await t.db.execute({ sql: 'INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, 0)', args: [id, email, await hashPassword(PASSWORD)] })
  for (const [projectId, role] of memberships) await t.db.execute({ sql: 'INSERT INTO project_members (project_id, account_id, role) VALUES (?, ?, ?)', args: [projectId, id, role] })
  return id
}

/**
 * Fills a project through its public and server APIs: users with devices, events,
 * interactions and survey responses; a tag on a user; a declared attribute; a static
 * segment with members and a dynamic one; a draft import and a finished one with row errors.
 * `mark` goes into every name and value, so a test can tell when one project's data shows
 * up in another's answers.
 */
export async function seedProject(t: TestApp, projectId: string, writeKey: string, secretKey: string, mark: string): Promise<Project> {
  const api = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await t.app.request(`/api/projects/${projectId}${path}`, {
      method, headers: { authorization: `Bearer ${secretKey}`, 'content-type': type }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    expect(res.status, `${method} ${path} while seeding ${projectId}`).toBeLessThan(300)
    return res.status === 204 ? null : await res.json() as any
  }
  const userIds = [`${mark}-user-1`, `${mark}-user-2`]
  const emails = userIds.map((u) => `${u}@${mark}.example`)
  const batch = userIds.flatMap((userId, i) => [
    { type: 'identify', userId, anonymousId: `${mark}-device-${i}`, traits: { email: emails[i], name: `${mark} Person ${i}`, plan: 'pro', note: mark } },
    { type: 'track', userId, event: `${mark}_event`, properties: { secret: mark } },
    { type: 'track', userId, event: '$experience', properties: { id: `${mark}-tour`, name: `${mark} tour`, action: 'seen' } },
    { type: 'track', userId, event: '$response', properties: { experience: `${mark}-survey`, question: `${mark} question`, answer: `${mark} answer` } },
  ])
  const collected = await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey, batch }) })
  expect(collected.status, `seeding events of ${projectId}`).toBe(200)
  const pks = (await t.db.execute({ sql: 'SELECT id FROM users WHERE project_id = ? ORDER BY id', args: [projectId] })).rows.map((r) => Number(r.id))
  expect(pks).toHaveLength(2)

  const tag = await api('POST', '/tags', { name: `${mark} tag` })
  await api('POST', `/users/${pks[0]}/tags`, { tagId: tag.id })
  const key = `${mark.toLowerCase()}_only_key`
  await api('POST', '/attributes', { key, type: 'string', constraints: { note: mark } })
  const staticSegment = await api('POST', '/segments', { name: `${mark} static`, kind: 'static', description: mark })
  const webhook = await api('POST', '/webhooks', { url: `https://hooks.${mark.toLowerCase()}.example/jimer`, description: `${mark} hook` })
  await api('POST', `/segments/${staticSegment.id}/members`, { ids: pks })
  // The ledger's entries become deliveries (no loop runs here: nothing is sent).
  await fanOut(t.db, t.clock.get())
  const deliveryId = Number((await t.db.execute({ sql: 'SELECT min(id) AS id FROM webhook_deliveries WHERE endpoint_id = ?', args: [webhook.id] })).rows[0].id)
  expect(deliveryId).toBeGreaterThan(0)
  const dynamicSegment = await api('POST', '/segments', { name: `${mark} dynamic`, conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'note', operator: 'is', value: mark }] } } })
  const draft = await api('POST', '/imports', { name: `${mark} draft import`, match: 'userId', columns: [{ header: 'id', target: 'userId' }] })
  await api('POST', `/imports?name=${mark}%20file&segmentName=${mark}%20imported`, `id,email\n${mark}-imported,not an email\n${mark}-imported-2,${mark}-2@${mark}.example\n`, 'text/csv')
  const invitation = await api('POST', '/invitations', { email: `invitee-${mark}@${mark}.example`, role: 'viewer' })
  const token = await api('POST', '/tokens', { name: `${mark} token`, scope: 'read' })
  const mergeId = Number(`${projectId.length}${mark.length}${Date.now() % 100_000}`)
  const merged = { id: 0, user_id: `${mark}-merged`, email: `${mark}-merged@${mark}.example`, name: `${mark} Merged` }
  await t.db.execute({
    sql: 'INSERT INTO user_merges (id, project_id, kept_pk, merged_pk, at, actor_name, snapshot, undone_at) VALUES (?, ?, ?, 0, 0, ?, ?, 1)',
    args: [mergeId, projectId, pks[0], `${mark} admin`, JSON.stringify({ kept: { id: pks[0], user_id: userIds[0], email: emails[0], name: mark }, merged })],
  })
  return {
    // accountId is filled in by twoProjects, once the project has a second member.
    ids: { projectId, userPk: pks[0], segmentId: staticSegment.id, tagId: tag.id, importId: draft.id, key, accountId: '', invitationId: invitation.id, tokenId: token.id, webhookId: webhook.id, deliveryId, mergeId, dynamicSegmentId: dynamicSegment.id },
    writeKey, secretKey, userIds, emails,
  }
}

/**
 * Two projects with data, A (the bootstrap project) and B, and their people: an admin,
 * an editor and a viewer of A; an admin of B. B is seeded after A, so none of B's ids is
 * also an id of A.
 */
export async function twoProjects() {
  const t = await testApp()
  await t.db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('prj_zebra', 'ZEBRA project', 'wk_zebra_write_key_000000', 'sk_zebra_secret_key_0000000000000000', 0)`)
  const a = await seedProject(t, t.boot.projectId, t.boot.writeKey, t.secretKey, 'alpha')
  const b = await seedProject(t, 'prj_zebra', 'wk_zebra_write_key_000000', 'sk_zebra_secret_key_0000000000000000', 'ZEBRA')
  a.ids.accountId = await addAccount(t, 'editor-a@x.io', [[a.ids.projectId, 'editor']])
  await addAccount(t, 'viewer-a@x.io', [[a.ids.projectId, 'viewer']])
  b.ids.accountId = await addAccount(t, 'admin-b@x.io', [['prj_zebra', 'admin']])
  return { t, a, b }
}

/**
 * Every row that belongs to a project, table by table, found from the schema itself: a
 * table with `project_id`, one keyed by an import of the project, and the project's own
 * row, members and their accounts. A table this cannot place is taken whole, so a new
 * table is still compared.
 */
export async function snapshotProject(db: TestApp['db'], projectId: string): Promise<Record<string, unknown[]>> {
  const tables = (await db.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations' ORDER BY name`)).rows.map((r) => String(r.name))
  const out: Record<string, unknown[]> = {}
  for (const table of tables) {
    const columns = (await db.execute(`PRAGMA table_info("${table}")`)).rows.map((r) => String(r.name))
    let where: string
    if (columns.includes('project_id')) where = 'project_id = :p'
    else if (columns.includes('import_id')) where = 'import_id IN (SELECT id FROM imports WHERE project_id = :p)'
    else if (table === 'projects') where = 'id = :p'
    else if (table === 'accounts') where = 'id IN (SELECT account_id FROM project_members WHERE project_id = :p)'
    // Sign-ins during the run touch these; their own tests say what they must hold.
    else if (table === 'sessions' || table === 'login_failures') continue
    // The search index: a project's entries are its users' rowids. FTS5's own pages
    // (_data, _idx, _config) are shared by every project and change with any write.
    else if (table === 'users_search') where = 'rowid IN (SELECT id FROM users WHERE project_id = :p)'
    else if (table === 'users_search_docsize') where = 'id IN (SELECT id FROM users WHERE project_id = :p)'
    else if (/^users_search_(data|idx|config)$/.test(table)) continue
    // The membership engine's own position and the running write's cause: one row for all projects, moved by any write.
    else if (table === 'membership_cursor' || table === 'write_cause') continue
    else where = '1'
    const { rows } = await db.execute({ sql: `SELECT * FROM "${table}" WHERE ${where} ORDER BY 1, 2`, args: where.includes(':p') ? { p: projectId } : {} })
    out[table] = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])))
  }
  return out
}

/** Rows of a project per table, to show a snapshot holds real data. */
export const rowCounts = (snap: Record<string, unknown[]>) => Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, v.length]))
