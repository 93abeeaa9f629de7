import { safe } from './safe.js'
import type { Stored } from './wire.js'

// Storage can be missing, full, or throw on access (privacy modes, sandboxed iframes):
// every value also lives in memory, which is what the script reads when storage fails.
const memory: Partial<Stored> = {}

/** Reads `jimer_<key>` (fresh each time, so tabs share the session), else the in-memory copy. */
export const load = <K extends keyof Stored>(key: K): Stored[K] | undefined => {
  try {
    return JSON.parse(localStorage['jimer_' + key])
  } catch (e) {
    return memory[key]
  }
}

/** Writes `jimer_<key>`; truthy when localStorage took it. */
export const save = <K extends keyof Stored>(key: K, value: Stored[K]): string | void => {
  memory[key] = value
  try {
    return (localStorage['jimer_' + key] = JSON.stringify(value))
  } catch (e) { /* memory only */ }
}

/** The Jimer ID from localStorage, else from the first-party cookie fallback. */
export const loadId = safe((): string | undefined => load('id') || (document.cookie.match(/jimer_id=(\w+)/) || [])[1])

/** Stores the Jimer ID, in the `jimer_id` cookie (a year) when localStorage refuses it. */
export const saveId = safe((id: string): unknown => save('id', id) || (document.cookie = 'jimer_id=' + id + ';path=/;max-age=31536000'))
