import { Hono } from 'hono'
import type { AppEnv } from '../app.js'

/** The built snippet (scripts/build-snippet.mjs): dist/s.js, dist/stub.min.js and the content hash. */
export interface Snippet { script: string; stub: string; hash: string }

/**
 * The stub with its two strings filled in: where s.js is, and the write key. JSON string
 * literals, with `<` escaped so the result is also safe inside an HTML `<script>`.
 */
export function fillStub(stub: string, writeKey: string, src: string): string {
  const literal = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c')
  return stub.replace('"__JIMER_SRC__"', () => literal(src)).replace('"__JIMER_KEY__"', () => literal(writeKey))
}

/** What a customer pastes into their pages' `<head>` (printed by `npm start`). */
export function snippetTag(snippet: Snippet, writeKey: string, origin: string): string {
  // Unversioned on purpose: a pasted tag lives for years, and `/s.js` without the current
  // hash is cached for an hour only, so sites pick up new releases without re-pasting.
  return `<script>${fillStub(snippet.stub, writeKey, `${origin}/s.js`)}</script>`
}

const DEMO_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/**
 * Node-only routes: `/s.js` (what Workers serve from dist/public) and `/demo`, a sample
 * page with the real snippet, so a newcomer sees users appear. The demo runs under a
 * strict CSP, so its stub is a small same-origin file rather than the inline paste.
 */
export function demoRoutes(writeKey: string, snippet: Snippet) {
  const demo = new Hono<AppEnv>()

  demo.get('/s.js', (c) => {
    const etag = `"${snippet.hash}"`
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cross-Origin-Resource-Policy', 'cross-origin')
    c.header('ETag', etag)
    // The current content hash in the query is immutable; anything else may change.
    c.header('Cache-Control', c.req.query('v') === snippet.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
    if (c.req.header('if-none-match') === etag) return c.body(null, 304)
    return c.body(snippet.script)
  })

  demo.get('/demo/stub.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cache-Control', 'no-cache')
    return c.body(fillStub(snippet.stub, writeKey, `/s.js?v=${snippet.hash}`))
  })

  demo.get('/demo', (c) => {
    c.header('Content-Security-Policy', DEMO_CSP)
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Jimer demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="/demo/stub.js"></script>
<script src="/demo.js" defer></script></head>
<body style="font:16px system-ui;max-width:40rem;margin:3rem auto">
<h1>Jimer demo page</h1>
<p>This page carries the Jimer snippet: each load sends a page view for this browser's Jimer ID.
Identify to join it to a user id; reset to log out (a new Jimer ID).</p>
<form id="identify"><input name="userId" placeholder="user id" required> <input name="email" placeholder="email"> <button>Identify</button></form>
<p><button id="track">Track "demo_clicked"</button> <button id="segments">My segments</button> <button id="reset">Reset</button></p>
<pre id="log" aria-live="polite"></pre></body></html>`)
  })

  demo.get('/demo.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    return c.body(`const log = (t) => (document.getElementById('log').textContent += t + '\\n')
jimer.ready(() => log('snippet loaded; page view queued'))
document.getElementById('track').onclick = () => { jimer.track('demo_clicked', { at: location.pathname }); log('track demo_clicked') }
document.getElementById('segments').onclick = () => jimer.segments().then((keys) => log('segments: ' + JSON.stringify(keys)))
document.getElementById('reset').onclick = () => { jimer.reset(); log('reset: new Jimer ID') }
document.getElementById('identify').onsubmit = (e) => {
  e.preventDefault()
  const f = new FormData(e.target)
  jimer.identify(String(f.get('userId')), f.get('email') ? { email: String(f.get('email')) } : {})
  log('identify ' + f.get('userId'))
}`)
  })
  return demo
}
