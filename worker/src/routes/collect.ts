import { Hono, type Context } from 'hono'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'
import { LIMITS } from '../ingest/limits.js'
import { isRejection, normalizeMessage, type Message, type Rejection } from '../ingest/normalize.js'
import { planMessage } from '../ingest/plan.js'
import type { MessageType } from '../ingest/message-schema.js'
import { originAllowed, projectForKey, type ProjectKeys } from '../projects.js'
import { userHashValid } from '../auth/user-hash.js'
import { inBackground } from '../background.js'
import { refreshUsers } from '../segments/membership.js'
import type { Stmt } from '../db/types.js'

/**
 * The collector (F-10, F-13, F-15): Segment-spec endpoints for the snippet and server
 * SDKs. The write key comes in the body (`writeKey`) or as the HTTP Basic user. Bodies may
 * be JSON or text/plain (sendBeacon). Every answer comes after the commit.
 *
 * @example
 * curl -u "$WRITE_KEY:" -H 'content-type: application/json' \
 *   -d '{"userId":"42","event":"order_placed","properties":{"total":30}}' http://127.0.0.1:8787/v1/track
 */
export const collect = new Hono<AppEnv>()

collect.post('/batch', async (c) => {
  const body = await readBody(c)
  const batch = body.batch
  if (batch === undefined) throw new ApiError(400, 'missing_field', 'batch is required', 'batch')
  if (!Array.isArray(batch)) throw new ApiError(400, 'invalid_field', 'batch must be an array of messages', 'batch')
  if (batch.length > LIMITS.batchMessages) {
    throw new ApiError(413, 'too_many_messages', `a batch holds at most ${LIMITS.batchMessages} messages (this one has ${batch.length})`, 'batch')
  }
  const result = await ingest(c, body, batch, undefined)
  return c.json({ success: true, accepted: result.accepted, rejected: result.rejected })
})

for (const type of ['identify', 'track', 'page', 'screen', 'alias', 'group'] as const) {
  collect.post(`/${type}`, async (c) => {
    const body = await readBody(c)
    const { rejected } = await ingest(c, body, [body], type)
    if (rejected.length) throw new ApiError(rejected[0].code === 'message_too_large' ? 413 : 400, rejected[0].code, rejected[0].message, rejected[0].field)
    return c.json({ success: true })
  })
}

const tooLarge = () => new ApiError(413, 'payload_too_large', `a request body must be at most ${LIMITS.requestBytes} bytes`)

/**
 * The body as text, refused past the request limit. With a Content-Length (the common case)
 * the check is one comparison; a chunked body is counted as it streams in.
 */
async function bodyText(c: Context<AppEnv>): Promise<string> {
  const length = c.req.header('content-length')
  if (length !== undefined) {
    if (Number(length) > LIMITS.requestBytes) throw tooLarge()
    return c.req.text()
  }
  const reader = c.req.raw.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength
    if (size > LIMITS.requestBytes) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(r.value)
  }
  const all = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) all.set(chunk, (at += chunk.byteLength) - chunk.byteLength)
  return new TextDecoder().decode(all)
}

async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await bodyText(c)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ApiError(400, 'invalid_json', text.trim() ? 'the body is not valid JSON' : 'the body is empty; send a JSON object')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'invalid_body', 'the body must be a JSON object')
  return body as Record<string, unknown>
}

function writeKeyOf(c: Context<AppEnv>, body: Record<string, unknown>): string {
  if (typeof body.writeKey === 'string' && body.writeKey) return body.writeKey
  const auth = c.req.header('authorization')
  if (auth?.toLowerCase().startsWith('basic ')) {
    try {
      const user = atob(auth.slice(6).trim()).split(':')[0]
      if (user) return user
    } catch { /* falls through to the missing-key error */ }
  }
  throw new ApiError(401, 'missing_write_key', 'send the write key as "writeKey" in the body or as the HTTP Basic user', 'writeKey')
}

/** Validates every message, commits the good ones in one atomic unit, reports the rest by index. */
async function ingest(c: Context<AppEnv>, body: Record<string, unknown>, items: unknown[], type: MessageType | undefined) {
  const { db, writer, now } = c.var.deps
  const found = await projectForKey(db, writeKeyOf(c, body), now())
  if (!found) throw new ApiError(401, 'invalid_write_key', 'no project has this write key', 'writeKey')
  if (!originAllowed(found.project, c.req.header('origin'))) {
    throw new ApiError(403, 'origin_not_allowed', `this project does not accept calls from ${c.req.header('origin')}`)
  }

  const receivedAt = now()
  const defaults = { sentAt: body.sentAt, context: body.context }
  const rejected: (Rejection & { index: number })[] = []
  const stmts: Stmt[] = []
  const verify = found.secret ? undefined : verifier(found.project)
  const touched = new Map<string, { userId: string } | { anonymousId: string }>()
  for (const [index, item] of items.entries()) {
    const raw = type && item && typeof item === 'object' ? { ...item, type } : item
    const message = normalizeMessage(raw, { receivedAt, source: found.secret ? 'API' : 'SDK', defaults, messageId: () => crypto.randomUUID() })
    const refused = isRejection(message) ? message : await verify?.(message)
    if (refused) {
      rejected.push({ index, ...refused })
      continue
    }
    const m = message as Message
    stmts.push(...planMessage(found.project.id, m, receivedAt))
    touched.set(m.userId !== null ? 'u:' + m.userId : 'a:' + m.anonymousId, m.userId !== null ? { userId: m.userId } : { anonymousId: m.anonymousId! })
  }

  if (stmts.length) {
    try {
      await writer.write(stmts)
    } catch (e) {
      console.error('collector: commit failed', e)
      throw new ApiError(503, 'storage_unavailable', 'the database is unavailable; nothing was stored, retry later', undefined, { 'Retry-After': '1' })
    }
    // Membership is derived data: it follows after the answer (and the schedule repairs it).
    inBackground(c, refreshUsers(db, writer, found.project.id, [...touched.values()], receivedAt, { maxAgeMs: 1000 }))
  }
  return { accepted: items.length - rejected.length, rejected }
}

/**
 * Identity verification (F-08) for calls made with the public write key: a message that
 * names a userId must carry `context.userHash` when the project requires it, and a hash
 * that is sent must be right unless verification is off. Results are kept per user id
 * for the request.
 */
function verifier(project: ProjectKeys) {
  if (project.verification === 'off') return undefined
  const checked = new Map<string, Promise<boolean>>()
  return async (m: Message): Promise<Rejection | undefined> => {
    if (m.type === 'alias' && project.verification === 'required') {
      // One hash cannot vouch for two ids: merging identities needs the secret key.
      return { code: 'alias_needs_secret_key', message: 'this project verifies identities: send alias from your server with the secret key', field: 'previousId' }
    }
    const hash = m.context.userHash
    if (m.userId === null || (hash === undefined && project.verification === 'optional')) return
    if (typeof hash !== 'string') return { code: 'verification_required', message: 'this project requires context.userHash (HMAC-SHA256 of the userId with the secret key) for calls that name a user', field: 'context.userHash' }
    const key = m.userId + '\u0000' + hash
    if (!checked.has(key)) checked.set(key, userHashValid(project.secrets, m.userId, hash))
    if (!(await checked.get(key))) return { code: 'invalid_user_hash', message: `context.userHash does not match the user id ${JSON.stringify(m.userId)}`, field: 'context.userHash' }
  }
}
