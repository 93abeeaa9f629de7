import { createMiddleware } from 'hono/factory'

/**
 * CORS for the public endpoints (/v1): any site may call; whether its origin is allowed is
 * the project's decision, checked once the write key names the project.
 */
export const publicCors = createMiddleware(async (c, next) => {
  const origin = c.req.header('origin')
  if (origin) {
    c.header('Access-Control-Allow-Origin', origin)
    c.header('Vary', 'Origin')
    // The snippet reads Retry-After (429, 503) to time its next attempt.
    c.header('Access-Control-Expose-Headers', 'Retry-After')
  }
  if (c.req.method === 'OPTIONS') {
    c.header('Access-Control-Allow-Methods', 'POST, GET, OPTIONS')
    // analytics.js adds Authorization and, on retries, X-Retry-Count; server SDKs Content-Encoding.
    c.header('Access-Control-Allow-Headers', 'Content-Type, Authorization, Content-Encoding, X-Retry-Count')
    c.header('Access-Control-Max-Age', '86400')
    return c.body(null, 204)
  }
  await next()
})
