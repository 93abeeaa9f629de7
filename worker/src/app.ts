import { Hono, type Context } from 'hono'
import type { UserColumns } from './segments/columns.js'
import type { Db } from './db/types.js'
import { ApiError } from './errors.js'
import type { Writer } from './ingest/writer.js'
import type { CollectorLimits } from './rate-limit.js'
import { publicCors } from './middleware/cors.js'
import { tokenRoutes } from './routes/api-tokens.js'
import { auditRoutes } from './routes/audit.js'
import { auth } from './routes/auth.js'
import { collect } from './routes/collect.js'
import { duplicateRoutes } from './routes/duplicates.js'
import { importRoutes } from './routes/imports.js'
import { invitationAccept } from './routes/invitation-accept.js'
import { invitationRoutes } from './routes/invitations.js'
import { memberRoutes } from './routes/members.js'
import { personalization } from './routes/personalization.js'
import { projectRoutes } from './routes/projects.js'
import type { Snippet } from './routes/demo.js'
import { segmentExport } from './routes/segment-export.js'
import { ledgerRoutes } from './routes/segment-ledger.js'
import { segmentHistoryRoutes } from './routes/segment-history.js'
import { segmentImpactRoutes } from './routes/segment-impact.js'
import { segmentRoutes } from './routes/segments.js'
import { settingsRoutes } from './routes/settings.js'
import { simulateRoutes } from './routes/simulate.js'
import { targeting } from './routes/targeting.js'
import { tagRoutes } from './routes/tags.js'
import { userExport } from './routes/user-export.js'
import { userList } from './routes/user-list.js'
import { userProfile } from './routes/user-profile.js'
import { userRoutes } from './routes/users.js'
import { webhookRoutes } from './routes/webhooks.js'
import type { TargetPolicy } from './webhooks/target.js'
import type { ProjectKeyCache } from './projects.js'

/** Everything the app needs from its runtime; the two entry files build it. */
export interface AppDeps {
  db: Db
  writer: Writer
  /** The clock, injectable so tests can move time. */
  now: () => number
  /** The built snippet, when this runtime has it (Settings shows the tag to paste). */
  snippet?: Snippet
  /** Keeps the runtime alive for work after the response (Workers: waitUntil). */
  keepAlive?: (c: Context<AppEnv>, work: Promise<unknown>) => void
  /** The collector's rate limits (F-15); none when absent. */
  collectorLimits?: CollectorLimits
  /** The caller's address as this runtime knows it (socket, or the edge's header). */
  clientIp?: (c: Context<AppEnv>) => string | null
  /** Users' facts as columns in memory (Node): filters and previews loop over them instead of reading B-trees. */
  columns?: UserColumns
  /** Test hook: membership upkeep is held (its work stays in the journal), as if the process died right after each commit. */
  membershipHeld?: boolean
  /** SHA-256 of an id as hex, synchronously, where the runtime has it (node:crypto); else WebCrypto's async digest. */
  hashId?: (id: string) => string
  /** Sends invitation emails when the runtime has a mail server (SMTP_URL on Node). */
  mailer?: Mailer
  /** Webhook delivery as this runtime does it; without it targets are checked as on Workers and nothing is woken. */
  webhooks?: WebhookDeps
  /** The collector's key lookups, remembered where one process holds the database (Node). */
  projectKeys?: ProjectKeyCache
}

/** What the webhook routes need from the runtime (the entry files build it). */
export interface WebhookDeps {
  /** Which targets are allowed, and (Node) a resolver to check every address of a name. */
  target: TargetPolicy
  /** After a request that may have written the ledger (any change): run fan-out and delivery soon. */
  afterWrite?: (c: Context<AppEnv>) => void
}

/** One plain-text email; the entry file that has SMTP builds it. */
export interface Mailer { send(mail: { to: string; subject: string; text: string }): Promise<void> }

export type AppEnv = { Variables: { deps: AppDeps } }

/** SQLite's codes for a database that is there but cannot serve now, and libSQL's for one that cannot be reached. */
const UNAVAILABLE = /^(SQLITE_(BUSY|LOCKED|READONLY|CANTOPEN|IOERR|FULL|PROTOCOL|NOTADB|CORRUPT)|SERVER_ERROR|HRANA_WEBSOCKET_ERROR|HRANA_CLOSED_ERROR|STREAM_EXPIRED|FETCH_ERROR)/

function storageUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; rawCode?: unknown; cause?: unknown; message?: unknown }
  if (typeof e?.code === 'string' && UNAVAILABLE.test(e.code)) return true
  return typeof e?.message === 'string' && /\b(database is locked|attempt to write a readonly database|unable to open database|disk I\/O error|database or disk is full)\b/.test(e.message)
}

/** Builds the whole HTTP app. Imports nothing runtime-specific. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    c.set('deps', deps)
    try {
      await next()
    } finally {
      // An admin change may change what a collector key stands for (keys, settings, erasures): looked up afresh.
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.path.startsWith('/api/')) deps.projectKeys?.clear()
    }
    // Any change may have moved someone into or out of a segment: the webhooks learn of it now, not at the next tick.
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.res.status < 400) deps.webhooks?.afterWrite?.(c)
  })

  app.use('/v1/*', publicCors)
  app.route('/v1', collect)
  app.route('/v1', targeting)
  app.route('/v1', personalization)
  app.route('/api/auth', auth)
  app.route('/api/projects/:projectId', segmentRoutes)
  app.route('/api/projects/:projectId', ledgerRoutes)
  app.route('/api/projects/:projectId', simulateRoutes)
  app.route('/api/projects/:projectId', segmentImpactRoutes)
  app.route('/api/projects/:projectId', segmentHistoryRoutes)
  app.route('/api/projects/:projectId', userRoutes)
  app.route('/api/projects/:projectId', duplicateRoutes)
  app.route('/api/projects/:projectId', userList)
  app.route('/api/projects/:projectId', userProfile)
  app.route('/api/projects/:projectId', userExport)
  app.route('/api/projects/:projectId', segmentExport)
  app.route('/api/projects/:projectId', tagRoutes)
  app.route('/api/projects/:projectId', settingsRoutes)
  app.route('/api/projects/:projectId', importRoutes)
  app.route('/api/projects/:projectId', memberRoutes)
  app.route('/api/projects/:projectId', invitationRoutes)
  app.route('/api/projects/:projectId', tokenRoutes)
  app.route('/api/projects/:projectId', auditRoutes)
  app.route('/api/projects/:projectId', webhookRoutes)
  app.route('/api', projectRoutes)
  app.route('/api/invitations', invitationAccept)
  app.get('/healthz', (c) => c.json({ ok: true }))

  app.notFound((c) => c.json(new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`).toJSON(), 404))
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v)
      return c.json(err.toJSON(), err.status)
    }
    if (storageUnavailable(err)) {
      // The database cannot be read or written right now (locked, read-only, full, unreachable):
      // a temporary condition the caller should retry, and nothing was acknowledged.
      console.error('storage unavailable', err)
      c.header('Retry-After', '1')
      return c.json(new ApiError(503, 'storage_unavailable', 'the database is unavailable; nothing was stored, retry later').toJSON(), 503)
    }
    console.error('unhandled error', err)
    return c.json(new ApiError(500, 'internal_error', 'something went wrong on our side').toJSON(), 500)
  })
  return app
}
