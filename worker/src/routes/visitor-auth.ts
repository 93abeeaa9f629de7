import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { userHashValid } from '../auth/user-hash.js'
import { ApiError } from '../errors.js'
import { projectForKey } from '../projects.js'
import { parseOr400 } from './validate.js'

/**
 * Who a public read about "this visitor" is about, and whether the caller may ask (F-14):
 * the write key may ask about a Jimer ID it holds (the browser's own); asking by user id
 * needs `userHash` (HMAC-SHA256 of the user id with the secret key), or a read, write or
 * admin key. Targeting (`GET /v1/segments`) and personalization (`GET /v1/attributes`) share it,
 * so the two can never disagree on who may read what.
 */
const query = z.object({
  writeKey: z.string().min(1).optional(),
  anonymousId: z.string().min(1).max(255).optional(),
  userId: z.string().min(1).max(255).optional(),
  userHash: z.string().max(128).optional(),
})

export async function resolveVisitor(c: Context<AppEnv>): Promise<{ projectId: string; by: { userId: string } | { anonymousId: string } }> {
  const q = parseOr400(query, c.req.query())
  const { db, now } = c.var.deps
  const auth = c.req.header('authorization')
  const key = q.writeKey ?? (auth?.toLowerCase().startsWith('basic ') ? atob(auth.slice(6).trim()).split(':')[0] : undefined)
  if (!key) throw new ApiError(401, 'missing_write_key', 'send the write key as the writeKey parameter or the HTTP Basic user', 'writeKey')
  const found = await projectForKey(db, key, now(), ['read', 'write', 'admin'])
  if (!found) throw new ApiError(401, 'invalid_write_key', 'no project has this write key', 'writeKey')
  if (!q.userId && !q.anonymousId) throw new ApiError(400, 'missing_id', 'ask about an anonymousId or a userId', 'anonymousId')
  if (q.userId && !found.secret) {
    if (!q.userHash) throw new ApiError(401, 'verification_required', 'asking by userId needs userHash (HMAC-SHA256 of the userId with the secret key)', 'userHash')
    if (!(await userHashValid(found.project.secrets, q.userId, q.userHash))) throw new ApiError(401, 'invalid_user_hash', 'userHash does not match the userId', 'userHash')
  }
  return { projectId: found.project.id, by: q.userId ? { userId: q.userId } : { anonymousId: q.anonymousId! } }
}
