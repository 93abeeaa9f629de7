// Node only (beside node.ts, because it reads files): the dashboard from dist/public.
// Workers serve the same folder through `[assets]` (wrangler.toml).
import type { Hono, MiddlewareHandler } from 'hono'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { AppEnv } from './app.js'

/** The dashboard's CSP: nothing inline, nothing from elsewhere but Gravatar images. */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://www.gravatar.com; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml', json: 'application/json',
}

// Paths that belong to the API and the collector: their 404s stay JSON, never the app's page.
const RESERVED = /^\/(api|v1)(\/|$)|^\/(s\.js|healthz|demo)(\/|$|\.)/

/**
 * Serves dist/public/app/* and, for any other GET that nothing else answered, index.html
 * (the SPA's client-side routes). Files are read per request, so a rebuild shows at once
 * and a first-start build may finish after the server listens.
 */
export function serveDashboard(app: Hono<AppEnv>, publicDir: string): void {
  // A copy as a plain Uint8Array: what Response and Hono accept as a body.
  const file = (name: string) => readFile(resolve(publicDir, name)).then((b) => new Uint8Array(b), () => null)

  app.get('/app/:name', async (c) => {
    const name = c.req.param('name')
    // Only the build's own file names: never a path out of the folder.
    const body = /^[a-z0-9-]+\.(js|css|svg)$/.test(name) ? await file(`app/${name}`) : null
    if (!body) return c.notFound()
    const build = await file('app/build.json')
    const hash = build ? (JSON.parse(new TextDecoder().decode(build)) as { hash: string }).hash : null
    c.header('Content-Type', TYPES[name.split('.').pop()!])
    c.header('X-Content-Type-Options', 'nosniff')
    // The content hash in the query is immutable; anything else is revalidated each time.
    c.header('Cache-Control', hash && c.req.query('v') === hash ? 'public, max-age=31536000, immutable' : 'no-cache')
    return c.body(body)
  })

  app.use('*', spaFallback(() => file('index.html')))
}

/**
 * Runs after every route: a GET that found no route (the app's JSON 404) gets the
 * dashboard page instead, so /p/prj_1/users/… loads the app. Registered as middleware
 * rather than a catch-all route so that routes added later (tests' fixtures) still win.
 */
function spaFallback(page: () => Promise<Uint8Array<ArrayBuffer> | null>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || RESERVED.test(c.req.path)) return
    if (c.res.status !== 404 || !c.res.headers.get('content-type')?.includes('json')) return
    const html = await page()
    if (!html) return
    c.res = new Response(html, {
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': DASHBOARD_CSP,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'same-origin',
      },
    })
  }
}
