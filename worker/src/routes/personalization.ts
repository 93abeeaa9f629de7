import { Hono } from 'hono'
import type { AppEnv } from '../app.js'
import { resolveVisitor } from './visitor-auth.js'

/**
 * Personalization (issue 16): the current visitor's attributes that the project marked
 * "readable in the browser" (attribute_definitions.readable), for `jimer.user()` —
 * "Hello {firstName}", or targeting in the page. Asked with the same rules as targeting
 * (visitor-auth.ts). Only declared, readable keys leave the server: the filter is the
 * definitions table, so an attribute nobody marked stays private whatever the SDK sent.
 * A disabled or unknown visitor reads as `{}`, as targeting answers them with no segments.
 *
 * @example
 * GET /v1/attributes?writeKey=wk_…&anonymousId=hONp3x  →  {"attributes": {"firstName": "Ann", "plan": "pro"}}
 */
export const personalization = new Hono<AppEnv>()

personalization.get('/attributes', async (c) => {
  const { projectId, by } = await resolveVisitor(c)
  const [pk, args]: [string, string[]] = 'userId' in by
    ? ['coalesce((SELECT id FROM users WHERE project_id = ?1 AND user_id = ?2), (SELECT user_pk FROM aliases WHERE project_id = ?1 AND alias = ?2))', [projectId, by.userId]]
    : ['(SELECT user_pk FROM devices WHERE project_id = ?1 AND anonymous_id = ?2)', [projectId, by.anonymousId]]
  const [readable, user] = await c.var.deps.db.batch([
    { sql: 'SELECT key FROM attribute_definitions WHERE project_id = ?1 AND readable = 1', args: [projectId] },
    { sql: `SELECT attributes FROM users WHERE project_id = ?1 AND status = 'active' AND id = ${pk}`, args },
  ], 'read')
  const held: Record<string, unknown> = user.rows[0] ? JSON.parse(String(user.rows[0].attributes)) : {}
  // fromEntries defines own keys: a readable `__proto__` is sent as a key, never set as a prototype.
  const attributes = Object.fromEntries(readable.rows.map((r) => String(r.key)).filter((k) => Object.hasOwn(held, k)).map((k) => [k, held[k]]))
  c.header('Cache-Control', 'no-store')
  return c.json({ attributes })
})
