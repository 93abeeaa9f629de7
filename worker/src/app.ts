import { Hono, type Context } from 'hono'
import type { Db } from './db/types.js'
import { ApiError } from './errors.js'
import type { Writer } from './ingest/writer.js'
import { publicCors } from './middleware/cors.js'
import { auth } from './routes/auth.js'
import { collect } from './routes/collect.js'
import { importRoutes } from './routes/imports.js'
import type { Snippet } from './routes/demo.js'
import { segmentExport } from './routes/segment-export.js'
import { segmentRoutes } from './routes/segments.js'
import { settingsRoutes } from './routes/settings.js'
import { targeting } from './routes/targeting.js'
import { tagRoutes } from './routes/tags.js'
import { userExport } from './routes/user-export.js'
import { userList } from './routes/user-list.js'
import { userProfile } from './routes/user-profile.js'
import { userRoutes } from './routes/users.js'

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
}

export type AppEnv = { Variables: { deps: AppDeps } }

/** Builds the whole HTTP app. Imports nothing runtime-specific. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    c.set('deps', deps)
    await next()
  })

  app.use('/v1/*', publicCors)
  app.route('/v1', collect)
  app.route('/v1', targeting)
  app.route('/api/auth', auth)
  app.route('/api/projects/:projectId', segmentRoutes)
  app.route('/api/projects/:projectId', userRoutes)
  app.route('/api/projects/:projectId', userList)
  app.route('/api/projects/:projectId', userProfile)
  app.route('/api/projects/:projectId', userExport)
  app.route('/api/projects/:projectId', segmentExport)
  app.route('/api/projects/:projectId', tagRoutes)
  app.route('/api/projects/:projectId', settingsRoutes)
  app.route('/api/projects/:projectId', importRoutes)
  app.get('/healthz', (c) => c.json({ ok: true }))

  app.notFound((c) => c.json(new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`).toJSON(), 404))
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v)
      return c.json(err.toJSON(), err.status)
    }
    console.error('unhandled error', err)
    return c.json(new ApiError(500, 'internal_error', 'something went wrong on our side').toJSON(), 500)
  })
  return app
}
