import { Hono } from 'hono'
import type { AppEnv } from '../app.js'

/**
 * `/demo`: a sample page that sends calls, so a newcomer sees users appear. Until the
 * snippet lands it posts with fetch, keeping a Jimer ID in localStorage like the snippet will.
 */
export function demoRoutes(writeKey: string) {
  const demo = new Hono<AppEnv>()
  demo.get('/demo', (c) =>
    c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Jimer demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="/demo.js" defer></script></head>
<body style="font:16px system-ui;max-width:40rem;margin:3rem auto">
<h1>Jimer demo page</h1>
<p>Each load sends a page view for this browser's Jimer ID. Identify to join it to a user id.</p>
<form id="identify"><input name="userId" placeholder="user id" required> <input name="email" placeholder="email"> <button>Identify</button></form>
<p><button id="track">Track "demo_clicked"</button></p>
<pre id="log" aria-live="polite"></pre></body></html>`))
  demo.get('/demo.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8')
    return c.body(`(() => {
  const key = ${JSON.stringify(writeKey)}
  let id = localStorage.getItem('jimer_id')
  if (!id) localStorage.setItem('jimer_id', (id = crypto.randomUUID().replace(/-/g, '')))
  let userId = localStorage.getItem('jimer_user') || undefined
  const log = (t) => (document.getElementById('log').textContent += t + '\\n')
  const send = (msg) => fetch('/v1/batch', { method: 'POST', headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ writeKey: key, sentAt: new Date().toISOString(), batch: [{ ...msg, anonymousId: id, userId, messageId: crypto.randomUUID(), timestamp: new Date().toISOString(),
      context: { userAgent: navigator.userAgent, locale: navigator.language, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, screen: { width: screen.width, height: screen.height }, page: { url: location.href, referrer: document.referrer } } }] }) })
    .then((r) => r.json()).then((r) => log(msg.type + ' ' + (msg.event || '') + ' → ' + JSON.stringify(r)))
  send({ type: 'page', name: 'Demo' })
  document.getElementById('track').onclick = () => send({ type: 'track', event: 'demo_clicked' })
  document.getElementById('identify').onsubmit = (e) => {
    e.preventDefault()
    const f = new FormData(e.target)
    userId = String(f.get('userId'))
    localStorage.setItem('jimer_user', userId)
    send({ type: 'identify', traits: f.get('email') ? { email: String(f.get('email')) } : {} })
  }
})()`)
  })
  return demo
}
