/** Value helpers that must mirror SQLite exactly, for evaluate and to-sql to agree. */

/** Text as SQLite's C-string readers see it (date.c, regexp.c): up to the first NUL. */
export function cString(s: string): string {
  const nul = s.indexOf('\u0000')
  return nul < 0 ? s : s.slice(0, nul)
}

/** A surrogate without its pair: JavaScript strings may hold one, UTF-8 text cannot. */
export const hasLoneSurrogate = (s: string) => /\p{Cs}/u.test(s)

/**
 * Text as regexp.c reads it: up to the first NUL, and a lone surrogate (which SQLite's JSON
 * decodes to its ill-formed 3-byte form) as U+FFFD.
 */
export const regexSubject = (s: string) => {
  const text = cString(s)
  return /[\uD800-\uDFFF]/.test(text) ? text.replace(/\p{Cs}/gu, '\uFFFD') : text
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r'
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'

/**
 * Epoch milliseconds of a date string as SQLite's `unixepoch(x, 'subsec') * 1000` reads
 * it (date.c: parseYyyyMmDd, parseHhMmSs, parseTimezone, computeJD), or null. Only the
 * `YYYY-MM-DD…` forms are taken: to-sql only hands SQLite text that starts that way.
 */
export function parseSqliteDate(text: string): number | null {
  const s = cString(text)
  let i = 0
  const digits = (n: number, min: number, max: number): number | null => {
    let v = 0
    for (let k = 0; k < n; k++, i++) {
      if (!isDigit(s[i])) return null
      v = v * 10 + (s.charCodeAt(i) - 48)
    }
    return v < min || v > max ? null : v
  }
  const Y = digits(4, 0, 9999)
  if (Y === null || s[i++] !== '-') return null
  const M = digits(2, 1, 12)
  if (M === null || s[i++] !== '-') return null
  const D = digits(2, 1, 31)
  if (D === null) return null
  while (isSpace(s[i]) || s[i] === 'T') i++

  let h = 0, m = 0, sec = 0, tz = 0
  if (i < s.length) {
    const hh = digits(2, 0, 24)
    if (hh === null || s[i++] !== ':') return null
    const mm = digits(2, 0, 59)
    if (mm === null) return null
    h = hh
    m = mm
    if (s[i] === ':') {
      i++
      const ss = digits(2, 0, 59)
      if (ss === null) return null
      sec = ss
      if (s[i] === '.' && isDigit(s[i + 1])) {
        i++
        let frac = 0
        let scale = 1
        while (isDigit(s[i])) {
          frac = frac * 10 + (s.charCodeAt(i) - 48)
          scale *= 10
          i++
        }
        sec += frac / scale
      }
    }
    while (isSpace(s[i])) i++
    const c = s[i]
    if (c === '-' || c === '+') {
      i++
      const th = digits(2, 0, 14)
      if (th === null || s[i++] !== ':') return null
      const tm = digits(2, 0, 59)
      if (tm === null) return null
      tz = (c === '-' ? -1 : 1) * (th * 60 + tm)
    } else if (c === 'Z' || c === 'z') {
      i++
    }
    while (isSpace(s[i])) i++
    if (i < s.length) return null
  }

  // computeJD (Meeus), in integer milliseconds like SQLite's iJD.
  let y = Y, mo = M
  if (mo <= 2) { y--; mo += 12 }
  const A = Math.trunc(y / 100)
  const B = 2 - A + Math.trunc(A / 4)
  const X1 = Math.trunc((36525 * (y + 4716)) / 100)
  const X2 = Math.trunc((306001 * (mo + 1)) / 10000)
  let iJD = Math.trunc((X1 + X2 + D + B - 1524.5) * 86400000)
  iJD += h * 3600000 + m * 60000 + Math.trunc(sec * 1000 + 0.5)
  iJD -= tz * 60000
  // validJulianDay(): a time zone can push 9999-12-31 past the last instant SQLite represents.
  return iJD >= 0 && iJD <= 464269060799999 ? iJD - 210866760000000 : null
}
