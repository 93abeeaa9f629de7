import { ApiError } from '../errors.js'

/**
 * CSRF defences (DESIGN.md "Security model": JSON-only API + Origin check). SameSite=Lax
 * keeps the session cookie off cross-site posts in current browsers, but not off posts
 * from a sibling subdomain (same site, another origin) nor in old browsers: the cookie
 * alone does not prove the dashboard asked for a change.
 */

/** `application/json`, any case, with or without parameters; not `application/jsonp` and the like. */
const JSON_TYPE = /^\s*application\/json\s*(;|$)/i

/** Who sent it, as the browser tells: another site, or a page of no origin (sandboxed, file:). */
function foreignSignal(req: Request, own: string): string | null {
  const origin = req.headers.get('origin')
  if (origin !== null && origin !== own) return origin === 'null' ? 'a page with no origin' : `another site (${origin})`
  // NOTE: Fetch Metadata: only a browser sends it, and it cannot be forged from a page.
  // https://developer.mozilla.org/docs/Web/HTTP/Headers/Sec-Fetch-Site
  const site = req.headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return `a ${site} page`
  const referer = req.headers.get('referer')
  if (origin === null && referer) {
    let from: string | null = null
    try { from = new URL(referer).origin } catch { /* unreadable: foreign */ }
    if (from !== own) return 'another site (by its Referer)'
  }
  return null
}

/** A body, if there is one, must be JSON: a form cannot send that type without a CORS preflight. */
function refuseNonJson(req: Request) {
  const type = req.headers.get('content-type')
  const length = req.headers.get('content-length')
  // A change without a body (DELETE, POST …/duplicate) needs no type.
  const hasBody = type !== null || (length !== null && length !== '0') || req.headers.has('transfer-encoding')
  if (hasBody && !JSON_TYPE.test(type ?? '')) throw new ApiError(415, 'json_only', 'send changes as application/json')
}

/**
 * Changes made with the session cookie: the request must say it comes from this origin
 * (every browser sends Origin with a POST, PUT, PATCH or DELETE, same-origin ones included),
 * and carry JSON if it has a body. A missing Origin is refused: only a non-browser client
 * omits it, and those authenticate with the secret key, not a cookie.
 */
export function refuseCrossSite(req: Request) {
  const own = new URL(req.url).origin
  if (req.headers.get('origin') === null || foreignSignal(req, own)) throw new ApiError(403, 'cross_site', 'changes must come from the dashboard itself')
  refuseNonJson(req)
}

/**
 * Sign-in, which no cookie authenticates: refused when the browser says another site sent
 * it (login CSRF would sign the victim into the attacker's account); a script without
 * Origin may sign in. JSON only, like every change.
 */
export function refuseCrossSiteSignIn(req: Request) {
  if (foreignSignal(req, new URL(req.url).origin)) throw new ApiError(403, 'cross_site', 'sign in from the dashboard itself')
  refuseNonJson(req)
}
