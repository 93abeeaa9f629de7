// The Cloudflare Workers entry: libSQL over HTTP (Turso), static assets, the cron trigger.
import { createClient, type Client } from '@libsql/client/web'
import { createApp } from './app.js'
import { inBackground } from './background.js'
// Built by scripts/build-snippet.mjs (npm run build, npm run deploy); Settings shows the tag from it.
import snippet from '../../dist/snippet-module.json'
import { directWriter } from './ingest/writer.js'
import { bindingRateLimit, COLLECTOR_LIMITS, memoryCollectorLimits } from './rate-limit.js'
import { runScheduled } from './scheduled.js'
import { coalesced, pumpWebhooks } from './webhooks/pump.js'

type RateLimitBinding = { limit(o: { key: string }): Promise<{ success: boolean }> }

export interface Env {
  LIBSQL_URL: string
  LIBSQL_AUTH_TOKEN?: string
  /** The Rate Limiting bindings of wrangler.toml; without them each isolate counts alone. */
  COLLECTOR_KEY_LIMIT?: RateLimitBinding
  COLLECTOR_IP_LIMIT?: RateLimitBinding
  /** "1": webhooks may target loopback and private addresses (only literal addresses can be checked here: no resolver). */
  JIMER_WEBHOOKS_ALLOW_PRIVATE?: string
}

function collectorLimits(env: Env) {
  const memory = memoryCollectorLimits(Date.now)
  return {
    perKey: env.COLLECTOR_KEY_LIMIT ? bindingRateLimit(env.COLLECTOR_KEY_LIMIT, COLLECTOR_LIMITS.perKey.periodSeconds) : memory.perKey,
    perIp: env.COLLECTOR_IP_LIMIT ? bindingRateLimit(env.COLLECTOR_IP_LIMIT, COLLECTOR_LIMITS.perIp.periodSeconds) : memory.perIp,
  }
}

// Per isolate: one client and one app, built on the first request.
let built: { client: Client; writer: ReturnType<typeof directWriter>; app: ReturnType<typeof createApp>; pump: () => Promise<void> } | undefined
function build(env: Env) {
  if (!built) {
    const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN })
    const writer = directWriter(client)
    const target = { allowPrivate: env.JIMER_WEBHOOKS_ALLOW_PRIVATE === '1' }
    // One pump at a time per isolate, at most one a second under a burst of changes (each is a
    // round trip to the database); the last change of a burst always gets one.
    const pump = coalesced(() => pumpWebhooks({ db: client, now: Date.now, fetch: (input, init) => fetch(input, init), target }), 1000)
    built = {
      client, writer, pump,
      app: createApp({
        db: client, writer, now: Date.now, snippet, keepAlive: (c, work) => c.executionCtx.waitUntil(work),
        collectorLimits: collectorLimits(env), clientIp: (c) => c.req.header('cf-connecting-ip') ?? null,
        // After a change, fan-out and delivery run past the response (waitUntil); the cron catches retries.
        webhooks: { target, afterWrite: (c) => inBackground(c, pump()) },
      }),
    }
  }
  return built
}

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => build(env).app.fetch(request, env, ctx),
  async scheduled(_event: ScheduledController, env: Env, ctx: ExecutionContext) {
    const { client, writer, pump } = build(env)
    ctx.waitUntil(runScheduled(client, writer, Date.now()))
    // Retries fall due by the clock: the cron is what sends them when no request comes.
    ctx.waitUntil(pump())
  },
} satisfies ExportedHandler<Env>
