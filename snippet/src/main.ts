/**
 * The Jimer snippet (F-01…F-08), built to dist/s.js. Load it with the stub (snippet/stub.js)
 * or on its own: `<script async src="https://jimer.example.com/s.js" data-key="wk_…"></script>`.
 *
 * @example
 * jimer.identify('42', { email: 'ann@example.com', plan: 'pro' }, { hash: hmacFromYourServer })
 * jimer.track('order_placed', { total: 30 })
 * jimer.segments().then((keys) => keys.includes('power_users') && showTour())
 * jimer.user().then((u) => u.firstName && greet(u.firstName))
 */
import { anonymousId, identify, onRouteChange, page, reset, startIdentity, track } from './calls.js'
import { flush, flushOnHide, startDelivery } from './delivery.js'
import { runJimo } from './jimo.js'
import { safe } from './safe.js'

type Fn = (...args: any[]) => any

const start = (w: any, queued?: any[]) => {
  const script = document.currentScript as HTMLScriptElement
  const key = script.dataset.key
  // The collector is where the script came from (a path prefix included).
  const base = script.src.replace(/[^/]*$/, 'v1/')
  startIdentity()
  startDelivery(base + 'batch', key as string)
  // Reads about this visitor, asked after the queued calls had one attempt (ids and keys are URL-safe).
  const ask = (path: string, none: unknown) =>
    flush()
      .then(() => fetch(base + path + '?anonymousId=' + anonymousId + '&writeKey=' + key))
      .then((r) => r.json())
      .then((j) => j[path] || none)
      .catch(() => none)
  // The page's copy of user(): 0 until asked, and again after a write that may change it.
  let me: any = 0

  const api: Record<string, Fn> = {
    /** identify(userId, traits?, {hash}?): joins this browser to a user; traits `email`, `name` are native. */
    identify: (...a) => ((me = 0), identify(...a)),
    /** track(event, properties?) */
    track,
    /** page(name?, properties?): also sent on load and on SPA route changes. */
    page,
    /** set(traits): custom attributes (and `email`, `name`) without a user id. */
    set: (traits) => api.identify(0, traits),
    /** reset(): logout, a new Jimer ID. */
    reset: () => ((me = 0), reset()),
    /**
     * segments() → Promise of the keys of the targetable segments this visitor is in
     * (`GET /v1/segments` answers `{"segments": [...]}`); [] when the collector cannot say.
     */
    segments: () => ask('segments', []),
    /**
     * user() → Promise of this visitor's attributes marked "readable in the browser" in
     * Settings (`GET /v1/attributes` answers `{"attributes": {...}}`), e.g. for "Hello {firstName}";
     * {} when the collector cannot say. Asked once per page and kept, and asked again after
     * identify, set or reset (so it reads what they wrote).
     */
    user: () => (me = me || ask('attributes', {})),
    /** experience(id, 'seen' | 'completed' | 'dismissed' | 'answered', {name, step, steps}?) */
    experience: (id, action, detail) => track('$experience', Object.assign({ id, action }, detail)),
    /** response(experienceId, step, question, answer): a survey answer. */
    response: (experience, step, question, answer) => track('$response', { experience, step, question, answer }),
    /** ready(callback): runs it once the script has loaded. */
    ready: (cb) => cb(),
    /** push([method, ...args], …): the queue form of every call. */
    push: (...calls) => calls.map((c) => api[c[0]](...c.slice(1))),
  }
  for (const name in api) api[name] = safe(api[name])

  w.jimer = api
  if (queued) {
    // Replay in order. The stub queues `[method, ...args]` followed by the resolver of the
    // promise its method returned.
    let result: any
    queued
      .splice(0)
      .map((call: any) => (call.call ? call(result) : (result = (api.push(call) || 0)[0])))
  }
  const jimo = w.jimo
  if (jimo && jimo.splice) {
    const calls = jimo.splice(0)
    jimo.push = (...more: any[]) => more.map(safe(runJimo))
    jimo.push(...calls)
  }

  page()
  const route = safe(onRouteChange)
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History) {
      const result = original.apply(this, arguments as never)
      route()
      return result
    }
  }
  addEventListener('popstate', route)
  // visibilitychange is fired at the document and bubbles to the window.
  addEventListener('visibilitychange', () => document.hidden && flushOnHide())
  addEventListener('pagehide', flushOnHide)
}

const queued = (window as any).jimer
// Already running (two tags, or the stub pasted twice): the first copy stays. The API is
// an object; before the script runs `jimer` is absent or the stub's array.
;(queued && !queued.splice) || safe(start)(window, queued)
