import { LIMITS } from './limits.js'

/**
 * Characters libSQL cannot store faithfully. NUL: SQLite's text functions and the client
 * stop reading at it, so "a\u0000b" is stored whole but read back as "a". Unpaired
 * surrogates: bound as text they become U+FFFD, and inside JSON (written as `\ud800`)
 * SQLite's json_each / json_extract decode them to invalid UTF-8, which the libSQL
 * client cannot read (a panic that ends the process, libsql 0.5).
 */
const UNSAFE = /\u0000|\p{Cs}/u
const UNSAFE_ALL = /\u0000|\p{Cs}/gu

/** The text with NUL and unpaired surrogates replaced by U+FFFD; the same string when it has none. */
export function cleanText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, '\uFFFD') : text
}

/** What {@link cleanJson} answers for a value nested deeper than its limit. */
export const TOO_DEEP: unique symbol = Symbol('too deep')

/**
 * A parsed JSON value made safe to store: every string and key goes through
 * {@link cleanText}, and objects and arrays may nest at most `levels` deep (SQLite's JSON
 * functions refuse more than 1,000 levels and JSON.stringify overflows the stack near
 * 5,000). Unchanged values are returned as they are; changed objects are rebuilt with
 * `Object.fromEntries`, so a `__proto__` key stays an own data property.
 *
 * @example
 * cleanJson({ n: 'a\u0000b', deep: [[1]] }, 2) // → TOO_DEEP (the inner array is level 3)
 */
export function cleanJson(value: unknown, levels: number = LIMITS.jsonDepth): unknown {
  try {
    return clean(value, levels)
  } catch (e) {
    if (e === TOO_DEEP) return TOO_DEEP
    throw e
  }
}

function clean(value: unknown, levels: number): unknown {
  if (typeof value === 'string') return cleanText(value)
  if (typeof value !== 'object' || value === null) return value
  if (levels <= 0) throw TOO_DEEP
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = clean(value[i], levels - 1)
      if (item !== value[i]) (copy ??= value.slice())[i] = item
    }
    return copy ?? value
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  let entries: [string, unknown][] | undefined
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    const cleanKey = cleanText(key)
    const item = clean(record[key], levels - 1)
    if (!entries && (cleanKey !== key || item !== record[key])) entries = keys.slice(0, i).map((k) => [k, record[k]])
    entries?.push([cleanKey, item])
  }
  return entries ? Object.fromEntries(entries) : value
}
