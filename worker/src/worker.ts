// The Cloudflare Workers entry: libSQL over HTTP (Turso), static assets, the cron trigger.
import { createClient, type Client } from '@libsql/client/web'
import { createApp } from './app.js'
// Built by scripts/build-snippet.mjs (npm run build, npm run deploy); Settings shows the tag from it.
import snippet from '../../dist/snippet-module.json'
import { directWriter } from './ingest/writer.js'
import { bindingRateLimit, COLLECTOR_LIMITS, memoryCollectorLimits } from './rate-limit.js'
import { runScheduled } from './scheduled.js'

type RateLimitBinding = { limit(o: { key: string }): Promise<{ success: boolean }> }

export interface Env {
  LIBSQL_URL: string
  LIBSQL_AUTH_TOKEN?: string
  /** The Rate Limiting bindings of wrangler.toml; without them each isolate counts alone. */
  COLLECTOR_KEY_LIMIT?: RateLimitBinding
  COLLECTOR_IP_LIMIT?: RateLimitBinding
}

function collectorLimits(env: Env) {
  const memory = memoryCollectorLimits(Date.now)
  return {
    perKey: env.COLLECTOR_KEY_LIMIT ? bindingRateLimit(env.COLLECTOR_KEY_LIMIT, COLLECTOR_LIMITS.perKey.periodSeconds) : memory.perKey,
    perIp: env.COLLECTOR_IP_LIMIT ? bindingRateLimit(env.COLLECTOR_IP_LIMIT, COLLECTOR_LIMITS.perIp.periodSeconds) : memory.perIp,
  }
}

// Per isolate: one client and one app, built on the first request.
let built: { client: Client; writer: ReturnType<typeof directWriter>; app: ReturnType<typeof createApp> } | undefined
function build(env: Env) {
  if (!built) {
    const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN })
    const writer = directWriter(client)
    built = {
      client, writer,
      app: createApp({
        db: client, writer, now: Date.now, snippet, keepAlive: (c, work) => c.executionCtx.waitUntil(work),
        collectorLimits: collectorLimits(env), clientIp: (c) => c.req.header('cf-connecting-ip') ?? null,
      }),
    }
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
