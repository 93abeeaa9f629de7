import fc from 'fast-check'
import { nested } from './fuzz-json.js'
import { headers, type Answer, type Keys, type Probe } from './fuzz-messages.js'
import { anyChar, pick } from './fuzz-values.js'

/**
 * The JSON conformance corpus: valid JSON texts must never be answered `invalid_json`,
 * invalid ones always must. Validity here comes from how each text is built, not from
 * JSON.parse, which is what the collector itself uses.
 */

const encoder = new TextEncoder()
const PATHS = ['/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/alias', '/v1/group'] as const

/** Valid JSON values a generator is unlikely to write. */
export const EDGE_VALUES = [
  '1e999', '-1e999', '1e-999', '1E+2', '0e0', '-0', '-0.0', '0.0e-0', '1.5e308', '9007199254740993', '1' + '0'.repeat(5000),
  '"\\u00e9\\u00C9"', '"\\uD83D\\uDE00"', '"\\uD800"', '"\\uDC00\\uD800"', '"\\u0000"', '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
  '"\u2028\u2029"', '"é😀"', '{"a":1,"a":2}', '{"__proto__":{"x":1},"__proto__":null}', '{"constructor":{"prototype":{"x":1}}}',
  '[]', '{}', '[[]]', '[{}]', 'true', 'false', 'null', ' \t\n\r[ 1 , 2 ]\r\n', '{"":""}', '{"a":[1,{"b":null}]}',
  nested(60, 'array').text, nested(10_000, 'array').text, '"' + 'x'.repeat(100_000) + '"',
]

/** Whole documents that are valid JSON; a leading BOM is allowed (RFC 8259 §8.1 lets a parser ignore it). */
export const EDGE_DOCUMENTS = [...EDGE_VALUES, '\ufeff{}', ' {} ', '"text"', '123', nested(200_000, 'array').text, '{"writeKey":null}']

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i))

/** Texts invalid whatever value is put in them. */
const TEMPLATES: ((v: string) => string)[] = [
  (v) => `{'a':${v}}`, (v) => `{"a":${v},}`, (v) => `[${v},]`, (v) => `{"a":${v} /* c */}`, (v) => `// c\n${v}`, (v) => `${v} # c`,
  (v) => `{a:${v}}`, (v) => `[${v} ${v}]`, (v) => `${v} ${v}`, (v) => `{"a" ${v}}`, (v) => `{"a":${v}}}`, (v) => `[${v}]]`,
  (v) => `{"a":${v}`, (v) => `\u00a0${v}`, (v) => `${v}\u0000`, (v) => `\u000b${v}`, (v) => `${v},`, (v) => `[,${v}]`,
  (v) => `{"a":${v},,"b":1}`, (v) => `${v}\u2028`, (v) => `(${v})`, (v) => `[${v}`, (v) => `[1,\ufeff${v}]`, (v) => `{"a":${v};}`,
]

/** Texts invalid as they stand: JavaScript-isms, bad numbers, bad escapes, control characters, nothing at all. */
const INVALID = [
  '', ' ', '\n\t\r ', '{"a":undefined}', '{"a":NaN}', '[Infinity]', '[-Infinity]', '[01]', '[-01]', '[+1]', '[.5]', '[1.]', '[1e]',
  '[1e+]', '[0x10]', '[-]', '[--1]', '[1_000]', '[- 1]', 'tru', 'nul', 'fals', 'True', 'NULL', 'undefined', '[truee]',
  '["\\x41"]', '["\\u12"]', '["\\u12G4"]', '["\\\'"]', '["\\a"]', '["\\U0041"]', "['a']", '["a\\"]', '"\\uD800', '"abc',
  '[1,,2]', '{"a"}', '{1:2}', '{"a":1 "b":2}', '}', ']', '{', '[', ',', ':', '""""', '{"a":1}{"b":2}', '\ufeff\ufeff{}',
  ...CONTROL.map((c) => `["a${c}b"]`), ...CONTROL.map((c) => `{"k${c}":1}`),
]

const validValue = fc.oneof(
  { weight: 3, arbitrary: fc.json({ depthSize: 'small' }) },
  { weight: 2, arbitrary: fc.json({ depthSize: 'small', stringUnit: anyChar }) },
)

/** Valid JSON values drawn once per run (and the small edge values; the fixed corpus sends the big ones); the probes recombine them cheaply. */
export const jsonPool = (seed: number): string[] => [...fc.sample(validValue, { seed, numRuns: 1500 }), ...EDGE_VALUES.filter((v) => v.length < 1000)]

/** An invalid text made from a valid one: in a template, cut short (objects, arrays, strings), or with a trailing comma. */
function invalidFrom(pool: string[], kind: number, i: number, cut: number): string {
  const v = pool[i % pool.length]
  switch (kind % 8) {
    case 0: case 1: case 2: return TEMPLATES[cut % TEMPLATES.length](v)
    case 3: case 4: return INVALID[(i + cut) % INVALID.length]
    case 5: case 6: {
      const t = '{["'.includes(v[0]) && v.length > 1 ? v : '{"k":' + v + '}'
      return t.slice(0, 1 + (cut % (t.length - 1)))
    }
    default: return '{['.includes(v[0]) ? v.slice(0, -1) + ',' + v.slice(-1) : `[${v},]`
  }
}

/** A valid value inside a real message: accepted, or refused for depth or size, never as invalid JSON. */
function valueProbe(keys: Keys, text: string, n: number, h: Record<string, string>): Probe {
  return {
    family: 'json-value', method: 'POST', path: '/v1/batch', headers: h, items: 1, ids: [`fz-jv-${n}`],
    body: encoder.encode(`{"writeKey":${JSON.stringify(keys.writeKey)},"batch":[{"type":"track","anonymousId":"jv-${n % 100}","event":"json_value","messageId":"fz-jv-${n}","properties":{"v":${text}}}]}`),
    expect: (a: Answer) => {
      if (a.status !== 200) return `expected 200, got ${a.status} ${a.body?.error?.code}`
      const refused = a.body.rejected[0]?.code
      return refused === undefined || refused === 'too_deep' || refused === 'message_too_large' ? undefined : `a valid value was refused: ${refused}`
    },
  }
}

export const validValueProbe = (keys: Keys, pool: string[]) => fc.record({ i: fc.nat(), n: fc.nat(), headers })
  .map((g) => valueProbe(keys, pool[g.i % pool.length], g.n, g.headers))

/** A whole document that is valid JSON: whatever else is wrong with it, never invalid_json. */
const documentProbe = (text: string, path: string, h: Record<string, string>): Probe => ({
  family: 'json-valid', method: 'POST', path, headers: h, body: encoder.encode(text),
  expect: (a) => (a.body?.error?.code === 'invalid_json' ? 'valid JSON answered invalid_json' : undefined),
})

export const validDocumentProbe = (pool: string[]) => fc.record({ i: fc.nat(), edge: fc.nat(19), ws: fc.nat(), path: pick(PATHS), headers }).map((g) => {
  const text = g.edge === 0 ? EDGE_DOCUMENTS[g.i % EDGE_DOCUMENTS.length] : pool[g.i % pool.length]
  const space = (k: number) => [' ', '\t', '\n', '\r', ''][(g.ws >> k) % 5]
  // Only a leading BOM is ignored: whitespace before it would make the text invalid.
  return documentProbe((text.startsWith('\ufeff') ? '' : space(0)) + text + space(3), g.path, g.headers)
})

/** An invalid document: always 400 invalid_json, on every collector path, under any Content-Type. */
const invalidProbe = (text: string, path: string, h: Record<string, string>): Probe => ({
  family: 'json-invalid', method: 'POST', path, headers: h, body: encoder.encode(text),
  expect: (a) => (a.status === 400 && a.body?.error?.code === 'invalid_json' ? undefined : `invalid JSON answered ${a.status} ${a.body?.error?.code}`),
})

export const invalidDocumentProbe = (pool: string[]) => fc.record({ kind: fc.nat(), i: fc.nat(), cut: fc.nat(), path: pick(PATHS), headers })
  .map((g) => invalidProbe(invalidFrom(pool, g.kind, g.i, g.cut), g.path, g.headers))

/** The hand-picked corpus, each text once on every run (the generators above add random ones). */
export function corpusProbes(keys: Keys): Probe[] {
  const json = { 'content-type': 'application/json' }
  const invalid = [...INVALID, ...TEMPLATES.flatMap((f) => ['1', '"s"', '{}', '[]', 'null'].map(f))]
  return [
    ...EDGE_DOCUMENTS.map((text, i) => documentProbe(text, PATHS[i % PATHS.length], json)),
    ...EDGE_VALUES.map((text, i) => valueProbe(keys, text, 1e9 + i, json)),
    ...invalid.map((text, i) => invalidProbe(text, PATHS[i % PATHS.length], json)),
  ]
}
