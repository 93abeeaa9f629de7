import { Hono, type Context } from 'hono'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'
import { bodyText } from '../ingest/body.js'
import { LIMITS } from '../ingest/limits.js'
import { isRejection, normalizeMessage, type Message, type Rejection } from '../ingest/normalize.js'
import { prepareMessage, type PreparedMessage } from '../ingest/plan.js'
import { ingestWith } from '../ingest/writer.js'
import type { MessageType } from '../ingest/message-schema.js'
import { originAllowed, projectForKey, type ProjectKeys } from '../projects.js'
import { userHashValid } from '../auth/user-hash.js'
import { inBackground } from '../background.js'
import { catchUp } from '../segments/membership-drain.js'
import type { RateLimit } from '../rate-limit.js'
import { idHashes, suppressedIds } from '../users/erase.js'

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

/**
 * analytics.js (`@segment/analytics-next`) posts to one-letter paths — `/v1/t`, `/v1/i`,
 * `/v1/p`, `/v1/s`, `/v1/a`, `/v1/g`, and `/v1/b` when it batches — with text/plain bodies,
 * so that a browser sends them without a CORS preflight. They are the same endpoints.
 */
const SHORT: Record<MessageType | 'batch', string> = { batch: 'b', identify: 'i', track: 't', page: 'p', screen: 's', alias: 'a', group: 'g' }

collect.on('POST', ['/batch', '/b'], async (c) => {
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
  collect.on('POST', [`/${type}`, `/${SHORT[type]}`], async (c) => {
    const body = await readBody(c)
    const { rejected } = await ingest(c, body, [body], type)
    if (rejected.length) throw new ApiError(rejected[0].code === 'message_too_large' ? 413 : rejected[0].code === 'user_erased' ? 410 : 400, rejected[0].code, rejected[0].message, rejected[0].field)
    return c.json({ success: true })
  })
}

async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await bodyText(c.req.raw, LIMITS.requestBytes)
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
  const found = await projectForKey(db, writeKeyOf(c, body), now(), ['ingest', 'admin'], c.var.deps.projectKeys)
  if (!found) throw new ApiError(401, 'invalid_write_key', 'no project has this write key', 'writeKey')
  if (!originAllowed(found.project, c.req.header('origin'))) {
    throw new ApiError(403, 'origin_not_allowed', `this project does not accept calls from ${c.req.header('origin')}`)
  }
  await checkRate(c, found.project.id, found.secret)

  const receivedAt = now()
  const defaults = { sentAt: body.sentAt, context: body.context, integrations: body.integrations }
  const requestIp = found.project.collectIp && !found.secret ? c.var.deps.clientIp?.(c) ?? null : null
  const rejected: (Rejection & { index: number })[] = []
  const prepared: PreparedMessage[] = []
  const verify = found.secret ? undefined : verifier(found.project)
  const valid: { index: number; m: Message }[] = []
  for (const [index, item] of items.entries()) {
    const raw = type && item && typeof item === 'object' ? { ...item, type } : item
    const message = normalizeMessage(raw, { receivedAt, source: found.secret ? 'API' : 'SDK', defaults, messageId: () => crypto.randomUUID() })
    const refused = isRejection(message) ? message : await verify?.(message)
    if (refused) {
      rejected.push({ index, ...refused })
      continue
    }
    valid.push({ index, m: withIp(message as Message, found.project.collectIp, requestIp) })
  }
  // Ids of erased users (F-37) store nothing: an old queue must not bring a profile back.
  // The lookup only where the project has erased someone; the hashes always, for the write's own guard.
  const ids = [...new Set(valid.flatMap(({ m }) => idsOf(m)))]
  const hashId = c.var.deps.hashId
  const hashes = hashId ? new Map(ids.map((id) => [id, hashId(id)])) : await idHashes(ids)
  const erased = found.project.erasedAny ? await suppressedIds(db, found.project.id, hashes) : new Set<string>()
  for (const { index, m } of valid) {
    const id = idsOf(m).find((x) => erased.has(x))
    if (id !== undefined) {
      rejected.push({ index, code: 'user_erased', message: 'this user was erased; messages for them are not stored', field: id === m.userId ? 'userId' : id === m.anonymousId ? 'anonymousId' : 'previousId' })
      continue
    }
    // The hashes also guard the statements: an erase that commits before them wins (a race this check cannot see).
    prepared.push(prepareMessage(found.project.id, m, receivedAt, hashes))
  }
  rejected.sort((a, b) => a.index - b.index)

  if (prepared.length) {
    try {
      await ingestWith(writer, { projectId: found.project.id, messages: prepared })
    } catch (e) {
      console.error('collector: commit failed', e)
      throw new ApiError(503, 'storage_unavailable', 'the database is unavailable; nothing was stored, retry later', undefined, { 'Retry-After': '1' })
    }
    // Membership is derived data: it follows after the answer, from the journal the write
    // left (segments/membership-drain.ts), within the bound the README states.
    // Its entries and exits then go out as webhooks (the pump after the request may have run before them).
    if (!c.var.deps.membershipHeld) inBackground(c, catchUp(db, writer, c.var.deps.now, c.var.deps.columns).then(() => c.var.deps.webhooks?.afterWrite?.(c)))
  }
  return { accepted: items.length - rejected.length, rejected }
}

/**
 * An IP address identifies a person in law (GDPR recital 30) and Jimer needs none to
 * segment, so it is kept only when the project turns "Store IP addresses" on, and then
 * only on the device (its last known address): `context.ip` as sent, or for browser calls
 * the address the request came from. Never in the stored event context.
 */
function withIp(m: Message, collectIp: boolean, requestIp: string | null): Message {
  const sent = m.context.ip
  m.ip = collectIp ? (typeof sent === 'string' && /^[0-9a-f:.]{2,45}$/i.test(sent.trim()) ? sent.trim() : requestIp) : null
  if (sent !== undefined) {
    const { ip: _, ...context } = m.context
    m.context = context
  }
  return m
}

const idsOf = (m: Message) => [m.userId, m.anonymousId, m.previousId].filter((x): x is string => x !== null)

/**
 * Rate limits (F-15), before any validation work: per project (its write key's whole
 * traffic) and, for calls made with the public write key, per client address within the
 * project — so one flooding page or script is stopped without stopping the site, and
 * another project's traffic is never counted here. Secret-key calls come from the site's
 * own servers, often many users behind one address: only the project limit applies.
 */
async function checkRate(c: Context<AppEnv>, projectId: string, secret: boolean) {
  const limits = c.var.deps.collectorLimits
  if (!limits) return
  const ip = secret ? null : c.var.deps.clientIp?.(c) ?? null
  const checks: [string, RateLimit, string][] = [[projectId, limits.perKey, 'this write key']]
  if (ip) checks.unshift([`${projectId}|${ip}`, limits.perIp, 'this address'])
  for (const [key, limit, who] of checks) {
    const r = await limit.take(key)
    if (!r.ok) throw new ApiError(429, 'rate_limited', `too many requests from ${who}; retry in ${r.retryAfter} s`, undefined, { 'Retry-After': String(r.retryAfter) })
  }
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
