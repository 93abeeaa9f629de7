import { Hono } from 'hono'
import type { AppEnv } from '../app.js'
import { eventNames, loadFacts, type UserFacts } from '../segments/facts.js'
import { targetedKeys } from '../segments/membership.js'
import { loadLibrary } from '../segments/store.js'
import { resolveVisitor } from './visitor-auth.js'

/**
 * Targeting (F-14): which targetable segments is this visitor in, evaluated now from the
 * current profile. The public write key may ask about a Jimer ID it holds; asking by
 * user id needs `userHash` (HMAC-SHA256 of the user id with the secret key), or the
 * secret key itself (visitor-auth.ts, shared with personalization).
 *
 * @example
 * GET /v1/segments?writeKey=wk_…&anonymousId=hONp3x  →  {"segments":["trial-users"]}
 */
export const targeting = new Hono<AppEnv>()

targeting.get('/segments', async (c) => {
  const { projectId, by } = await resolveVisitor(c)
  const { db, now } = c.var.deps
  const lib = await loadLibrary(db, projectId)
  const trees = [...lib.segments.values()].flatMap((s) => (s.tree ? [s.tree] : []))
  const at = now()
  const facts = (await loadFacts(db, projectId, by, eventNames(trees))) ?? newVisitor(at)
  c.header('Cache-Control', 'no-store')
  return c.json({ segments: targetedKeys(lib, facts, at) })
})

/** A visitor with no profile yet is still someone: anonymous, seen now, nothing else. */
function newVisitor(now: number): UserFacts {
  return {
    id: 0, userId: null, email: null, name: null, status: 'active', createdAt: now, firstSeen: now, lastSeen: now, sessions: 0, eventsCount: 0,
    attributes: {}, devices: [], tagIds: [], events: [], interactions: [], responses: [], staticSegments: [],
  }
}
