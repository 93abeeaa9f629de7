/**
 * Reading the typed attribute storage (migration 0005) back into JSON values.
 *
 * Text is read as bytes (`CAST(… AS BLOB)`) and decoded here: json_each decodes a `\ud800`
 * escape to the bytes of a lone surrogate (WTF-8), which the libSQL client cannot read as
 * text (it panics and ends the process, libsql 0.5). Decoded the WTF-8 way, such a value is
 * the same string JSON.parse gives for the document, so every reader agrees with evaluate.
 */

/** Selects a stored value safely: text as bytes, integers as doubles (libSQL refuses integers past 2^53; JSON.parse rounds them the same way). */
export const storedValueSql = (type: string, value: string) =>
  `CASE ${type} WHEN 'text' THEN CAST(${value} AS BLOB) WHEN 'integer' THEN CAST(${value} AS REAL) ELSE ${value} END`

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 bytes as a string; encoded lone surrogates (ED A0–BF xx) become those surrogates. */
export function textOf(bytes: unknown): string {
  if (typeof bytes === 'string') return bytes
  const b = new Uint8Array(bytes as ArrayBuffer)
  try {
    return utf8.decode(b)
  } catch {
    let out = ''
    for (let i = 0; i < b.length;) {
      const c = b[i]
      const n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4
      let cp = n === 1 ? c : c & (0xff >> (n + 1))
      for (let k = 1; k < n; k++) cp = (cp << 6) | (b[i + k] & 0x3f)
      out += String.fromCodePoint(cp)
      i += n
    }
    return out
  }
}

/**
 * A stored attribute back as the JSON value it was: `type` is what json_each said of it,
 * so only lists and objects are parsed.
 *
 * @example typedValue('true', 1) // true
 */
export function typedValue(type: string, value: unknown): unknown {
  switch (type) {
    case 'true': return true
    case 'false': return false
    case 'null': return null
    case 'array': case 'object': return JSON.parse(String(value))
    case 'integer': case 'real': return Number(value)
    default: return textOf(value)
  }
}
