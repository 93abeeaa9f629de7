// The calls of the public API (F-03, F-04), each turned into one queued Segment-spec message.
import { enqueue } from './delivery.js'
import { randomId } from './id.js'
import { SESSION_GAP } from './limits.js'
import { load, loadId, save, saveId } from './store.js'
import type { WireMessage } from './wire.js'

export let anonymousId: string
let userId: string | null | undefined
/** URL of the last page view: the referrer of the next SPA page view. */
let lastUrl: string | undefined
let referrer = document.referrer

export const startIdentity = (): void => {
  saveId((anonymousId = loadId() || randomId()))
  userId = load('u')
}

const sessionId = (): string => {
  const now = Date.now()
  const s = load('s')
  const id = s && now - s[1] < SESSION_GAP ? s[0] : randomId()
  save('s', [id, now])
  return id
}

const send = (type: WireMessage['type'], fields: Partial<WireMessage>, userHash?: string): void =>
  enqueue(Object.assign(fields, {
    type,
    messageId: randomId(),
    anonymousId,
    timestamp: new Date(),
    context: {
      sessionId: sessionId(),
      userAgent: navigator.userAgent,
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: screen.width, height: screen.height },
      page: { url: location.href, referrer, title: document.title },
      userHash,
    },
  }))

/**
 * Joins this browser to a user id and/or sets traits. Only identify names the user: the
 * collector links this Jimer ID (a device) to the user, and every call from the device
 * lands on that profile, so a refused identify (a placeholder id like "undefined", a wrong
 * hash) never takes the calls after it down with it. `opts.hash` is the HMAC-SHA256 of the
 * user id with the project's secret key (F-08), sent as `context.userHash`.
 * Identifying as another user than the stored one resets first, so two people sharing a
 * browser never merge. With `replace`, custom attributes this browser set before and
 * absent from `traits` are removed (Jimo's `removeUnspecified`; keys set elsewhere are kept).
 */
export const identify = (id?: unknown, traits?: Record<string, unknown>, opts?: { hash?: string }, replace?: boolean): void => {
  if ((id = id ? '' + id : undefined)) {
    if (userId && userId !== id) reset()
    save('u', (userId = id as string))
  }
  // Keys only (no values): which custom attributes came from this browser.
  const before = load('k') || {}
  const known: Record<string, 1> = replace ? {} : before
  for (const k in traits) known[k] = 1
  save('k', known)
  send('identify', { userId: id as string, traits, unset: replace ? Object.keys(before).filter((k) => !(k in known)) : undefined }, ((opts || 0) as { hash?: string }).hash)
}

export const track = (event: string, properties?: Record<string, unknown>): void => send('track', { event, properties })

export const page = (name?: string, properties?: Record<string, unknown>): void => {
  referrer = lastUrl || referrer
  send('page', { name, properties: Object.assign({ url: (lastUrl = location.href) }, properties) })
}

/** A page view when an SPA changes the path or query (not only the hash). */
export const onRouteChange = (): void => {
  (lastUrl as string).split('#')[0] !== location.href.split('#')[0] && page()
}

/** Logout: a new Jimer ID, no user id; calls already queued go out as they were. */
export const reset = (): void => {
  saveId((anonymousId = randomId()))
  save('u', (userId = null))
  save('k', {})
}
