import fc from 'fast-check'
import { JUNK_IDS, LIMITS } from '../../worker/src/ingest/limits.js'
import { invalidUtf8Char, INVALID_UTF8, nested, Obj, Raw } from './fuzz-json.js'

/**
 * The values the collector fuzzer puts in messages: hostile keys and text, numbers JSON
 * cannot hold exactly, wrong types, deep nesting and huge strings. Everything is an
 * arbitrary, so a seed reproduces a run.
 */

export const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)

/**
 * Any code point, unpaired surrogates included: fast-check's `'binary'` unit, without the
 * 1.1-million-entry reverse map it builds on first use (a second of every run).
 */
export const anyChar = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp)))

/** Keys that mean something to JavaScript, to SQLite's JSON paths, or to the collector itself. */
export const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', '__lookupGetter__',
  'toJSON', 'then', 'length', '', ' ', 'a.b', '$.x', '$[0]', 'a"b', 'back\\slash', 'nul\u0000', 'lone\ud800', '\udc00', 'é', '🎉',
  'user:id', 'email', 'name', 'user:email', 'user:name', 'plan', 'sessionId', 'userAgent', 'userHash', 'screen', 'id', 'action',
] as const

const NASTY_CHARS = [
  '\u0000', '\ud800', '\udfff', '\ufffd', '\ufeff', '\u2028', '\u202e', '\t', '\n', '\u001f', '\u007f', 'é', '𝄞', '🎉', '"', '\\',
  '/', '<', "'", ...INVALID_UTF8.map((_, i) => invalidUtf8Char(i)),
]
export const nastyText = fc.string({ unit: fc.oneof(pick(NASTY_CHARS), pick(['a', 'b', '1', ' '])), maxLength: 12 })

export const key = fc.oneof(
  { weight: 3, arbitrary: pick(HOSTILE_KEYS) },
  { weight: 1, arbitrary: nastyText },
  { weight: 2, arbitrary: pick(['plan', 'seats', 'total', 'color', 'k']) },
)

/** Number literals as text: JSON.parse turns these into Infinity, -0 or a neighbouring integer. */
export const NUMBER_TEXTS = [
  '0', '-0', '1', '-1', '0.5', '1e309', '-1e309', '1e-400', '9007199254740993', '-9007199254740993', '9007199254740992',
  '18446744073709551616', '1e21', '1E+2', '4.9e-324', '1.7976931348623157e308', '123456789012345678901234567890', '0.1e1',
  '-0.0', '1' + '0'.repeat(400),
]
export const number = fc.oneof(
  pick(NUMBER_TEXTS).map((t) => new Raw(t)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

const WORDS = ['pro', 'free', 'order_placed', '2026-10-01T10:00:00Z', 'undefined', 'null', '<script>alert(1)</script>',
  `'; DROP TABLE users; --`, 'javascript:alert(1)']
/** Long, not huge: past the column limits (name 1,000, user agent 1,000, question 2,000 characters). */
const LONG = ['x'.repeat(1001), 'é'.repeat(2001), '😀'.repeat(600), 'a\u0000'.repeat(700)]
export const text = fc.oneof(
  { weight: 30, arbitrary: pick(WORDS) },
  { weight: 20, arbitrary: nastyText },
  { weight: 10, arbitrary: fc.string({ unit: anyChar, maxLength: 16 }) },
  { weight: 1, arbitrary: pick(LONG) },
)

const leaf = fc.oneof(fc.constant(null), fc.boolean(), number, text)

/** Any JSON value, objects written from entry lists so hostile and duplicate keys survive. */
export const { value: jsonValue } = fc.letrec<{ value: unknown; array: unknown[]; object: Obj }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((e) => new Obj(e)),
}))

export const object = fc.array(fc.tuple(key, jsonValue), { maxLength: 6 }).map((e) => new Obj(e))

/** A value of some other type than the field wants. */
export const wrongType = fc.oneof(fc.boolean(), fc.constant(null), fc.array(leaf, { maxLength: 2 }), object, number, text)

/** Nesting around the limit and far past it (JSON.stringify overflows near 5,000; SQLite refuses 1,000). */
export const deepValue = fc.tuple(pick([2, 30, 62, 63, 64, 65, 100, 1001, 5000, 100_000]), pick(['array', 'object'] as const))
  .map(([levels, kind]) => nested(levels, kind))

/** Strings near and past the message and request limits, in one- to four-byte characters. */
export const hugeText = fc.tuple(
  pick([1000, LIMITS.messageBytes - 100, LIMITS.messageBytes, LIMITS.messageBytes + 1, 200_000, LIMITS.requestBytes + 10]),
  pick(['x', 'é', '😀', '\u0000', '\ud800', invalidUtf8Char(0)]),
).map(([bytes, c]) => c.repeat(Math.max(1, Math.floor(bytes / Math.max(1, new TextEncoder().encode(c).length)))))

/** Ids that must be refused, or accepted as exactly what was sent. */
export const hostileId = fc.oneof(
  pick([...JUNK_IDS, 'NULL', ' undefined ', '', '   ', 'u'.repeat(LIMITS.idChars), 'u'.repeat(LIMITS.idChars + 1), ' padded ',
    'nul\u0000id', 'lone\ud800', '\udc00', 'ctl\tid', 'bad' + invalidUtf8Char(0), 'ok\ufffd', 'é'.repeat(LIMITS.idChars), '😀'.repeat(128)]),
  pick(['9007199254740993', '1e309', '-0', '1.5', '1e21', '42', '-7', '0', '1e2']).map((t) => new Raw(t)),
  nastyText,
)

/** Ids from small pools, so that requests meet the same profiles and merge them. */
export const userId = fc.nat(39).map((i) => `u${i}`)
export const anonymousId = fc.nat(39).map((i) => `a${i}`)

/** Mostly the valid value, sometimes a hostile one, sometimes one of the wrong type. */
export const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = wrongType) =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: hostile }, { weight: 1, arbitrary: wrongType })

const T0 = Date.parse('2026-10-01T10:00:00Z')
export const time = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -86_400_000, max: 86_400_000 }).map((d) => new Date(T0 + d).toISOString()) },
  { weight: 2, arbitrary: fc.integer({ min: T0 - 1e10, max: T0 + 1e10 }) },
  { weight: 1, arbitrary: pick(['1e309', '-1', '8640000000000001', '9007199254740993', '-0', '0', '1e2']).map((t) => new Raw(t)) },
  { weight: 1, arbitrary: pick(['2026-13-45', 'yesterday', '', 'T'.repeat(65), '+275760-09-13T00:00:00.001Z', '0000-01-01', 'Infinity']) },
)

export const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'curl/8.0', '', ' ', '\u0000',
]
/** User agents that make parsers work: long, repetitive, unbalanced. */
const HARD_USER_AGENTS = ['Mozilla/5.0 ('.repeat(300), 'Mozilla/5.0 (Windows NT 10.0' + ';'.repeat(2000), 'Mozilla/5.0 (Linux; Android ' + '1.'.repeat(1000)]

/** A Segment `context`, valid in shape with hostile contents, plus random entries. */
export const context = fc.tuple(
  fc.record({
    userAgent: mostly(fc.oneof({ weight: 20, arbitrary: pick(USER_AGENTS) }, { weight: 10, arbitrary: text }, { weight: 1, arbitrary: pick(HARD_USER_AGENTS) })),
    locale: mostly(pick(['fr-FR', 'en', 'x'.repeat(100), 'de\u0000DE'])),
    timezone: mostly(pick(['Europe/Paris', 'UTC', 'Mars/Olympus'])),
    screen: mostly(fc.record({ width: number, height: number })),
    sessionId: mostly(fc.oneof(fc.nat(5).map((i) => `s${i}`), text)),
  }, { requiredKeys: [] }),
  // Rare: with the project's verification "optional", a hash that is sent must be right.
  fc.option(fc.tuple(fc.constant('userHash'), fc.oneof(text, wrongType)), { freq: 10, nil: undefined }),
  fc.array(fc.tuple(key, jsonValue), { maxLength: 3 }),
).map(([known, hash, extra]) => new Obj([...Object.entries(known), ...(hash ? [hash] : []), ...extra]))

/** Traits with the native ones (email, name, user:id) among custom ones. */
export const traits = fc.tuple(
  fc.record({
    email: mostly(pick(['ann@example.com', 'ANN@EXAMPLE.COM', ' ', 'a@b\u0000c'])),
    name: mostly(pick(['Ann', 'Zoë', '<b>x</b>', ' ']), pick(['n'.repeat(1001), ...HOSTILE_KEYS])),
    'user:id': fc.oneof(userId, hostileId),
    plan: mostly(pick(['pro', 'free'])),
  }, { requiredKeys: [] }),
  fc.array(fc.tuple(key, jsonValue), { maxLength: 4 }),
).map(([known, extra]) => new Obj([...Object.entries(known), ...extra]))

/** Properties of the reserved `$experience` and `$response` events, and of any other. */
export const experienceProperties = fc.record({
  id: mostly(pick(['tour', 'nps', 'Tour'])),
  name: mostly(text),
  action: mostly(pick(['seen', 'completed', 'dismissed', 'answered', 'bogus'])),
  step: mostly(fc.integer({ min: -1, max: 10_001 })),
  steps: mostly(number),
}, { requiredKeys: [] })
export const responseProperties = fc.record({
  experience: mostly(pick(['nps', 'tour'])),
  step: mostly(fc.nat(3)),
  question: mostly(text),
  answer: fc.oneof(text, number, fc.boolean(), fc.array(text, { maxLength: 3 }), object, hugeText),
}, { requiredKeys: [] })

export const deepOrHuge = fc.oneof(deepValue, hugeText)
