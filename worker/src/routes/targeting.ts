import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { userHashValid } from '../auth/user-hash.js'
import { ApiError } from '../errors.js'
import { projectForKey } from '../projects.js'
import { eventNames, loadFacts, type UserFacts } from '../segments/facts.js'
import { targetedKeys } from '../segments/membership.js'
import { loadLibrary } from '../segments/store.js'
import { parseOr400 } from './validate.js'

/**
 * Targeting (F-14): which targetable segments is this visitor in, evaluated now from the
 * current profile. The public write key may ask about a Jimer ID it holds; asking by
 * user id needs `userHash` (HMAC-SHA256 of the user id with the secret key), or the
 * secret key itself.
 *
 * @example
 * GET /v1/segments?writeKey=wk_…&anonymousId=hONp3x  →  {"segments":["trial-users"]}
 */
export const targeting = new Hono<AppEnv>()

const query = z.object({
  writeKey: z.string().min(1).optional(),
  anonymousId: z.string().min(1).max(255).optional(),
  userId: z.string().min(1).max(255).optional(),
  userHash: z.string().max(128).optional(),
})

targeting.get('/segments', async (c) => {
  const q = parseOr400(query, c.req.query())
  const { db, now } = c.var.deps
  const auth = c.req.header('authorization')
  const key = q.writeKey ?? (auth?.toLowerCase().startsWith('basic ') ? atob(auth.slice(6).trim()).split(':')[0] : undefined)
  if (!key) throw new ApiError(401, 'missing_write_key', 'send the write key as the writeKey parameter or the HTTP Basic user', 'writeKey')
  const found = await projectForKey(db, key, now(), ['read', 'write', 'admin'])
  if (!found) throw new ApiError(401, 'invalid_write_key', 'no project has this write key', 'writeKey')
  if (!q.userId && !q.anonymousId) throw new ApiError(400, 'missing_id', 'ask about an anonymousId or a userId', 'anonymousId')
  if (q.userId && !found.secret) {
    if (!q.userHash) throw new ApiError(401, 'verification_required', 'targeting by userId needs userHash (HMAC-SHA256 of the userId with the secret key)', 'userHash')
    if (!(await userHashValid(found.project.secrets, q.userId, q.userHash))) throw new ApiError(401, 'invalid_user_hash', 'userHash does not match the userId', 'userHash')
  }
  const lib = await loadLibrary(db, found.project.id)
  const trees = [...lib.segments.values()].flatMap((s) => (s.tree ? [s.tree] : []))
  const by = q.userId ? { userId: q.userId } : { anonymousId: q.anonymousId! }
  const at = now()
  const facts = (await loadFacts(db, found.project.id, by, eventNames(trees))) ?? newVisitor(at)
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
