// The Cloudflare Workers entry: libSQL over HTTP (Turso), static assets, the cron trigger.
import { createClient, type Client } from '@libsql/client/web'
import { createApp } from './app.js'
import { directWriter } from './ingest/writer.js'
import { runScheduled } from './scheduled.js'

export interface Env {
  LIBSQL_URL: string
  LIBSQL_AUTH_TOKEN?: string
}

// Per isolate: one client and one app, built on the first request.
let built: { client: Client; writer: ReturnType<typeof directWriter>; app: ReturnType<typeof createApp> } | undefined
function build(env: Env) {
  if (!built) {
    const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN })
    const writer = directWriter(client)
    built = { client, writer, app: createApp({ db: client, writer, now: Date.now, keepAlive: (c, work) => c.executionCtx.waitUntil(work) }) }
  }
  return built
}

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => build(env).app.fetch(request, env, ctx),
  async scheduled(_event: ScheduledController, env: Env, ctx: ExecutionContext) {
    const { client, writer } = build(env)
    ctx.waitUntil(runScheduled(client, writer, Date.now()))
  },
} satisfies ExportedHandler<Env>
