// How values read on screen: all dates and numbers through Intl, in the browser's locale.

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000], ['month', 30 * 86_400_000], ['week', 7 * 86_400_000], ['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000],
]

/** "12 hours ago", "in 3 days", "now". */
export function relativeTime(ms: number, now = Date.now()): string {
  const diff = ms - now
  if (Math.abs(diff) < 45_000) return rtf.format(0, 'second')
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size || unit === 'minute') return rtf.format(Math.round(diff / size), unit)
  }
  return ''
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const number = new Intl.NumberFormat()

export const formatDateTime = (ms: number) => dateTime.format(ms)
export const formatDate = (ms: number) => dateOnly.format(ms)
export const formatNumber = (n: number) => number.format(n)
export const plural = (n: number, one: string, many = one + 's') => `${formatNumber(n)} ${n === 1 ? one : many}`

/** F-02: a Jimer ID reads "Jimer" + its first four characters. */
export const jimerShort = (anonymousId: string | null) => (anonymousId ? `Jimer ${anonymousId.slice(0, 4)}` : 'Jimer')

/** What a user is called: their name, else their email or id, else "Anonymous". */
export function displayName(u: { name: string | null; email?: string | null; userId: string | null }): string {
  return u.name || u.userId || u.email || 'Anonymous'
}
/** Known by a user id, an email or a name (an import by email makes such users): not "Anonymous". */
export const isIdentified = (u: { userId: string | null; email?: string | null; name?: string | null }) => u.userId !== null || !!u.email || !!u.name

/** Any attribute value as one line of text (objects and lists as JSON). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'number') return formatNumber(v)
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return JSON.stringify(v)
}

/** yyyy-mm-dd for a date input, from epoch ms or an ISO string. */
export function dateInputValue(v: unknown): string {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : ''
}
