import type { Hono } from 'hono'
import type { Ids } from './two-projects.js'

export type Role = 'viewer' | 'editor' | 'admin'

/**
 * What the security tests need to call one admin route as its owner would: a body that
 * passes validation (so a refusal is the guard's, not the schema's) and the least role.
 */
export interface RouteCase {
  /** The role the route needs; by default viewer for GET, editor for any change. */
  role?: Role
  /** Why a viewer may call this route although its method is not GET. */
  viewerMay?: string
  /** A valid JSON body, built from the ids of the project in the URL. */
  body?: (ids: Ids) => unknown
  /** Routes that take a file: the CSV a server would send (a session sends JSON instead). */
  csv?: string
  /** A query string the route needs to answer at all. */
  query?: string
  /** Only a signed-in account may call it: no token or key, whatever its scope. */
  accountOnly?: boolean
  /** Path parameters other than the defaults of `Ids` (the impact of a segment needs a dynamic one). */
  params?: (ids: Ids) => Partial<Ids>
}

const TREE = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } }

/** Every admin route under /api/projects/:projectId, by `METHOD /path` after that prefix. */
export const PROJECT_ROUTES: Record<string, RouteCase> = {
  'GET /segments': {},
  'POST /segments/preview': { role: 'viewer', viewerMay: 'a read sent as POST: it counts a draft condition and saves nothing', body: () => ({ conditions: TREE }) },
  'POST /segments': { body: () => ({ name: 'Made in a test', kind: 'static' }) },
  'GET /segments/:segmentId': {},
  'PATCH /segments/:segmentId': { body: () => ({ name: 'Renamed in a test' }) },
  'POST /segments/:segmentId/duplicate': {},
  'DELETE /segments/:segmentId': {},
  'GET /segments/:segmentId/members': {},
  'GET /segments/:segmentId/ledger': {},
  'GET /segments/:segmentId/ledger/daily': { query: '?days=7' },
  'GET /segments/:segmentId/versions': {},
  'POST /segments/:segmentId/impact': { role: 'viewer', viewerMay: 'a read sent as POST: it counts what a draft would change and saves nothing', body: () => ({ conditions: TREE }), params: (ids) => ({ segmentId: ids.dynamicSegmentId }) },
  'POST /segments/:segmentId/members': { body: (ids) => ({ ids: [ids.userPk] }) },
  'DELETE /segments/:segmentId/members/:userPk': {},
  'GET /segments/:segmentId/export': { query: '?format=csv' },
  'POST /simulate': { role: 'viewer', viewerMay: 'a read sent as POST: it evaluates a made-up profile and saves nothing', body: () => ({ profile: { attributes: { plan: 'pro' } } }) },
  'GET /users': {},
  'POST /users': { body: () => ({ userId: 'made-in-a-test' }) },
  'GET /users/:userPk': {},
  'GET /duplicates': {},
  // A pk nobody has: the guard is what these tests try, and the seeded users must stay.
  'POST /users/merge': { body: (ids) => ({ keepPk: ids.userPk, mergePk: 987_654_321 }) },
  'GET /merges': {},
  'POST /merges/:mergeId/undo': {},
  'PATCH /users/:userPk': { body: () => ({ name: 'Renamed in a test' }) },
  'DELETE /users/:userPk': {},
  'GET /users/:userPk/segments': {},
  'GET /users/:userPk/segment-history': {},
  'GET /users/:userPk/explain/:segmentId': {},
  'GET /users/:userPk/events': {},
  'GET /users/:userPk/events/daily': { query: '?days=7' },
  'GET /users/:userPk/export': {},
  'POST /users/:userPk/tags': { body: (ids) => ({ tagId: ids.tagId }) },
  'DELETE /users/:userPk/tags/:tagId': {},
  'GET /tags': {},
  'POST /tags': { body: () => ({ name: 'made in a test' }) },
  'PATCH /tags/:tagId': { body: () => ({ name: 'renamed in a test' }) },
  'DELETE /tags/:tagId': {},
  'GET /settings': {},
  'PATCH /settings': { role: 'admin', body: () => ({ name: 'Renamed in a test' }) },
  'POST /settings/rotate': { role: 'admin', body: () => ({ key: 'write' }) },
  'GET /catalog': {},
  'GET /attributes': {},
  'POST /attributes': { body: () => ({ key: 'made_in_a_test', type: 'string' }) },
  'PATCH /attributes/:key': { body: () => ({ type: 'string' }) },
  'DELETE /attributes/:key': {},
  'GET /imports': {},
  'POST /imports': { body: () => ({ name: 'made in a test', match: 'userId', columns: [{ header: 'id', target: 'userId' }] }) },
  'GET /imports/:importId': {},
  'PUT /imports/:importId/chunks/:seq': { body: () => ({ rows: [['chunk-user']], firstRow: 2 }) },
  'POST /imports/:importId/finish': {},
  'POST /imports/:importId/fail': { body: () => ({ reason: 'stopped in a test' }) },
  'PUT /imports/:importId/csv': { csv: 'id\ncsv-user\n' },
  'GET /imports/:importId/errors.csv': {},
  'GET /members': {},
  'PATCH /members/:accountId': { role: 'admin', body: () => ({ role: 'viewer' }) },
  'DELETE /members/:accountId': { role: 'admin' },
  'GET /invitations': { role: 'admin' },
  'POST /invitations': { role: 'admin', body: () => ({ email: 'invited-in-a-test@x.io', role: 'viewer' }) },
  'DELETE /invitations/:invitationId': { role: 'admin' },
  'GET /tokens': { role: 'admin' },
  'POST /tokens': { role: 'admin', body: () => ({ name: 'made in a test', scope: 'read' }) },
  'DELETE /tokens/:tokenId': { role: 'admin' },
  'GET /audit': { role: 'admin' },
  'GET /webhooks': {},
  'POST /webhooks': { role: 'admin', body: () => ({ url: 'https://hooks.example.com/made-in-a-test' }) },
  'GET /webhooks/:webhookId': {},
  'PATCH /webhooks/:webhookId': { role: 'admin', body: () => ({ description: 'changed in a test' }) },
  'DELETE /webhooks/:webhookId': { role: 'admin' },
  'POST /webhooks/:webhookId/rotate': { role: 'admin' },
  'GET /webhooks/:webhookId/deliveries': {},
  'POST /webhooks/:webhookId/deliveries/:deliveryId/replay': { role: 'admin' },
  // The project itself: PATCH/DELETE /api/projects/:projectId.
  'PATCH /': { role: 'admin', body: () => ({ name: 'Renamed in a test' }) },
  // A wrong name on purpose: the guard is what these tests try, and the project must stay for the next ones.
  'DELETE /': { role: 'admin', accountOnly: true, body: () => ({ confirm: 'not the project name' }) },
}

/** The account routes under /api/auth: each test file gives each of them its own case. */
export const AUTH_ROUTES = ['POST /login', 'POST /logout', 'GET /me', 'POST /password', 'POST /logout-everywhere'] as const

/**
 * Routes of the signed-in account, not of one project, by their full path: the project
 * list and creation (session only), and an invitation's lookup and acceptance (its token
 * decides the project). Each test file gives each of them its own case.
 */
export const ACCOUNT_ROUTES = ['GET /api/projects', 'POST /api/projects', 'POST /api/invitations/lookup', 'POST /api/invitations/accept'] as const

export const PROJECT_PREFIX = '/api/projects/:projectId'
export const AUTH_PREFIX = '/api/auth'

export interface AdminRoute { method: string; path: string; key: string; group: 'project' | 'auth' | 'account' }

/**
 * Every route the app answers under /api, read from the app itself (Hono's `app.routes`),
 * so a route added later is in the list without anyone adding it here. Middleware
 * (`use`, a path ending in `*`) is not a route.
 */
export function adminRoutes(app: Hono<any>): AdminRoute[] {
  const out = new Map<string, AdminRoute>()
  for (const r of app.routes) {
    if (!r.path.startsWith('/api') || r.path.endsWith('*')) continue
    const full = `${r.method} ${r.path}`
    const group = r.path === PROJECT_PREFIX || r.path.startsWith(PROJECT_PREFIX + '/') ? 'project' : r.path.startsWith(AUTH_PREFIX + '/') ? 'auth'
      : (ACCOUNT_ROUTES as readonly string[]).includes(full) ? 'account' : null
    if (!group) throw new Error(`${r.method} ${r.path} is neither a project route nor an account route: give it a case in test/security`)
    const key = group === 'account' ? full : `${r.method} ${r.path.slice((group === 'project' ? PROJECT_PREFIX : AUTH_PREFIX).length) || '/'}`
    out.set(`${r.method} ${r.path}`, { method: r.method, path: r.path, key, group })
  }
  return [...out.values()]
}

/** The enumerated routes that have no case, and the cases whose route is gone. */
export function uncovered(routes: AdminRoute[]) {
  const keys = new Set(routes.map((r) => `${r.group} ${r.key}`))
  const cases = [...Object.keys(PROJECT_ROUTES).map((k) => `project ${k}`), ...AUTH_ROUTES.map((k) => `auth ${k}`), ...ACCOUNT_ROUTES.map((k) => `account ${k}`)]
  return { missing: [...keys].filter((k) => !cases.includes(k)), stale: cases.filter((k) => !keys.has(k)) }
}

export const roleOf = (r: AdminRoute): Role => PROJECT_ROUTES[r.key]?.role ?? (r.method === 'GET' ? 'viewer' : 'editor')
export const changes = (r: AdminRoute) => r.method !== 'GET' && r.method !== 'HEAD'

/** Path parameters that name an object of the project (and so can name another project's). */
export const OWNED_PARAMS = ['userPk', 'segmentId', 'tagId', 'importId', 'key', 'accountId', 'invitationId', 'tokenId', 'webhookId', 'deliveryId', 'mergeId'] as const satisfies readonly (keyof Ids)[]

export const paramsOf = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1])

/**
 * The route's URL with its parameters filled: owned ones from `ids` (or `override`, per
 * parameter), `projectId` from `projectId`, `seq` as the first chunk.
 */
export function fill(r: AdminRoute, projectId: string, ids: Ids, override: Partial<Ids> = {}): string {
  const path = r.path.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => {
    if (name === 'projectId') return encodeURIComponent(projectId)
    if (name === 'seq') return '0'
    const own = PROJECT_ROUTES[r.key]?.params?.(ids) as Record<string, unknown> | undefined
    const v = (override as Record<string, unknown>)[name] ?? own?.[name] ?? (ids as unknown as Record<string, unknown>)[name]
    if (v === undefined) throw new Error(`${r.method} ${r.path}: no fixture id for :${name}; add it to Ids in test/security/two-projects.ts`)
    return encodeURIComponent(String(v))
  })
  return path + (PROJECT_ROUTES[r.key]?.query ?? '')
}
