/**
 * JSON text the way a fuzzer needs to write it, which JSON.stringify cannot: objects as
 * entry lists (duplicate keys, `__proto__` as a real key), number literals kept as text
 * (1e309, -0, 9007199254740993), and invalid UTF-8 placed inside strings.
 */

/** An object written from its entries, in order, duplicates included. */
export class Obj {
  constructor(readonly entries: [string, unknown][]) {}
}

/** JSON text written as it is: number literals JSON.parse would change, or deliberately broken text. */
export class Raw {
  constructor(readonly text: string) {}
}

/**
 * Private-use characters that stand for invalid UTF-8 in a string: {@link toBytes}
 * replaces each with the byte sequence of the same index.
 */
export const INVALID_UTF8: readonly number[][] = [
  [0xff], // never valid
  [0x80], // a continuation byte alone
  [0xc0, 0x80], // overlong NUL (modified UTF-8)
  [0xe0, 0x80, 0xaf], // overlong '/'
  [0xed, 0xa0, 0x80], // a high surrogate in CESU-8
  [0xed, 0xbf, 0xbf], // a low surrogate in CESU-8
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // a five-byte form
  [0xe2, 0x82], // a truncated euro sign
  [0xc3], // a truncated é at the end of a string
]
const SENTINEL = 0xf8f0
export const invalidUtf8Char = (i: number) => String.fromCharCode(SENTINEL + (i % INVALID_UTF8.length))
const SENTINELS = new RegExp(`[\\u${SENTINEL.toString(16)}-\\u${(SENTINEL + INVALID_UTF8.length - 1).toString(16)}]`)

/**
 * Writes a value as JSON text. `rawStrings`: only what JSON requires is escaped (`"`, `\`,
 * control characters), so unpaired surrogates reach the UTF-8 encoder as they are instead
 * of becoming `\udXXX` escapes.
 */
export function toJson(v: unknown, rawStrings = false): string {
  if (v instanceof Raw) return v.text
  if (typeof v === 'string') return rawStrings ? '"' + v.replace(/["\\\u0000-\u001f]/g, escapeChar) + '"' : JSON.stringify(v)
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : '1e999'
  if (v === null || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return '[' + v.map((x) => toJson(x, rawStrings)).join(',') + ']'
  const entries = v instanceof Obj ? v.entries : Object.entries(v as object)
  return '{' + entries.map(([k, x]) => toJson(k, rawStrings) + ':' + toJson(x, rawStrings)).join(',') + '}'
}

const escapeChar = (c: string) => (c === '"' || c === '\\' ? '\\' + c : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
const encoder = new TextEncoder()

/** UTF-8 bytes of the text, with each sentinel character turned into its invalid sequence. */
export function toBytes(text: string): Uint8Array {
  if (!SENTINELS.test(text)) return encoder.encode(text)
  const parts: Uint8Array[] = []
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i) - SENTINEL
    if (k < 0 || k >= INVALID_UTF8.length) continue
    parts.push(encoder.encode(text.slice(from, i)), Uint8Array.from(INVALID_UTF8[k]))
    from = i + 1
  }
  parts.push(encoder.encode(text.slice(from)))
  return concat(parts)
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** True when the text carries sentinels, i.e. its bytes will not be valid UTF-8. */
export const hasInvalidUtf8 = (text: string) => SENTINELS.test(text)

/** Levels of objects and arrays, the value itself being level 1 when it is one. */
export function depthOf(v: unknown): number {
  if (v instanceof Raw) return rawDepth(v.text)
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf))
  if (v instanceof Obj) return 1 + Math.max(0, ...v.entries.map(([, x]) => depthOf(x)))
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depthOf))
  return 0
}

/** The deepest bracket nesting of a JSON text (strings skipped). */
function rawDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '[' || c === '{') max = Math.max(max, ++depth)
    else if (c === ']' || c === '}') depth--
  }
  return max
}

/** `levels` nested arrays or objects around a value, as text (fast even for 100,000 levels). */
export function nested(levels: number, kind: 'array' | 'object', inner = '1'): Raw {
  return kind === 'array' ? new Raw('['.repeat(levels) + inner + ']'.repeat(levels)) : new Raw('{"a":'.repeat(levels) + inner + '}'.repeat(levels))
}
