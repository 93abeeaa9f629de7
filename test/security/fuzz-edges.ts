import fc from 'fast-check'
import { LIMITS } from '../../worker/src/ingest/limits.js'
import { concat, INVALID_UTF8, nested, Obj } from './fuzz-json.js'
import { batchBody, batchProbe, encode, headers, SINGLE_PATHS, type Answer, type Keys, type Pools, type Probe, type Type } from './fuzz-messages.js'
import { anyChar, deepValue, hostileId, pick, wrongType } from './fuzz-values.js'

/**
 * Probes with an exact expectation: one field of the wrong type, depth and size at the
 * limits. And probes with none beyond the invariants: mutated and random bytes,
 * `__proto__` everywhere.
 */

const encoder = new TextEncoder()
const iso = (n: number) => new Date(Date.parse('2026-10-01T10:00:00Z') + n).toISOString()

/** A valid message of each type, its ids unique to `n`. */
function validMessage(type: Type, n: number): Record<string, unknown> {
  const common = { messageId: `fz-ok-${n}`, timestamp: iso(n), sentAt: iso(n + 5), context: { locale: 'fr-FR' }, setOnce: { first: 'x' }, unset: ['gone'] }
  switch (type) {
    case 'identify': return { type, userId: `ok-u${n}`, anonymousId: `ok-a${n}`, traits: { plan: 'pro', email: 'ann@example.com' }, ...common }
    case 'track': return { type, anonymousId: `ok-a${n}`, event: 'clicked', properties: { a: 1 }, ...common }
    case 'page': return { type, anonymousId: `ok-a${n}`, name: 'Home', category: 'docs', properties: { path: '/' }, ...common }
    case 'screen': return { type, anonymousId: `ok-a${n}`, name: 'Main', properties: {}, ...common }
    case 'alias': return { type, userId: `ok-u${n}`, previousId: `ok-p${n}`, ...common }
    case 'group': return { type, userId: `ok-u${n}`, groupId: `ok-g${n}`, traits: { name: 'Acme' }, ...common }
  }
}

const ID_FIELDS = new Set(['userId', 'anonymousId'])

/** The refusal of a single-message call or of the one item of a batch. */
const refusalOf = (a: Answer, viaBatch: boolean) => (viaBatch && a.status === 200 ? a.body.rejected[0] : a.body.error)

/**
 * One field of a valid message replaced by a value of another type, a hostile value, or
 * removed: accepted, or refused naming that field.
 */
export const wrongTypeProbe = (keys: Keys) => fc.record({
  path: pick([...SINGLE_PATHS, '/v1/batch']),
  type: pick(['identify', 'track', 'page', 'screen', 'alias', 'group'] as const),
  n: fc.nat(),
  pick: fc.nat(),
  value: fc.oneof({ weight: 6, arbitrary: wrongType }, { weight: 2, arbitrary: hostileId }, { weight: 1, arbitrary: deepValue }, { weight: 1, arbitrary: fc.constant(undefined) }),
  headers,
}).map((g): Probe => {
  const viaBatch = g.path === '/v1/batch'
  const type = viaBatch ? g.type : (g.path.slice(4) as Type)
  const m = validMessage(type, g.n)
  const fields = [...Object.keys(m), 'writeKey', ...(viaBatch ? ['batch', 'sentAt@body', 'context@body'] : [])]
  const field = fields[g.pick % fields.length]
  const body: Record<string, unknown> = viaBatch ? { writeKey: keys.writeKey, batch: [m] } : { writeKey: keys.writeKey, ...m }
  if (field.endsWith('@body')) delete m[field.replace('@body', '')]
  const target = field === 'writeKey' || field.endsWith('@body') || field === 'batch' ? body : viaBatch ? m : body
  const name = field.replace('@body', '')
  const entries = Object.entries(target).filter(([k]) => k !== name)
  const replaced = new Obj(g.value === undefined ? entries : [...entries, [name, g.value]])
  const whole = target === body ? replaced : new Obj(Object.entries({ ...body, batch: [replaced] }))
  return {
    family: 'wrong-type', method: 'POST', path: g.path, headers: g.headers, body: encode(whole),
    expect: (a) => {
      if (a.status === 200 && (!viaBatch || a.body.rejected.length === 0)) return
      const r = refusalOf(a, viaBatch)
      if (!r) return `no refusal in ${a.status}`
      const ok = r.field === name || r.field?.startsWith(name + '.') || (r.code === 'missing_id' && ID_FIELDS.has(name)) ||
        (name === 'batch' && r.code === 'invalid_message') || r.code === 'message_too_large' || r.code === 'payload_too_large'
      return ok ? undefined : `${name} replaced by ${JSON.stringify(g.value)?.slice(0, 80)}: refused as ${r.code} on ${r.field}`
    },
  }
})

/** Nesting at and around the limit in each free-form field: accepted up to LIMITS.jsonDepth, too_deep past it. */
export const depthProbe = (keys: Keys) => fc.record({
  levels: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: LIMITS.jsonDepth - 4, max: LIMITS.jsonDepth + 2 }) }, { weight: 1, arbitrary: pick([1000, 10_000, 100_000]) }),
  field: pick(['properties', 'context', 'setOnce', 'custom']),
  single: fc.boolean(),
  n: fc.nat(),
}).map((g): Probe => {
  // The message is level 1; the field's own object is level 2.
  // Objects near the limit; arrays far past it, so that 100,000 levels fit in one request.
  const value = g.levels > 100 ? nested(g.levels, 'array') : nested(g.levels - 1, 'object', '{}')
  const m = { type: 'track', anonymousId: `deep-${g.n % 100}`, event: 'deep', messageId: `fz-deep-${g.n}`, [g.field]: value }
  const depth = 1 + g.levels
  const body = g.single ? { writeKey: keys.writeKey, ...m } : { writeKey: keys.writeKey, batch: [m] }
  return {
    family: 'depth', method: 'POST', path: g.single ? '/v1/track' : '/v1/batch', headers: { 'content-type': 'application/json' },
    body: encode(new Obj(Object.entries(body))), ids: [`fz-deep-${g.n}`], items: g.single ? undefined : 1,
    expect: (a) => {
      const r = refusalOf(a, !g.single)
      if (depth <= LIMITS.jsonDepth) return a.status === 200 && !r ? undefined : `depth ${depth} refused: ${a.status} ${r?.code}`
      return r?.code === 'too_deep' && r.field === g.field ? undefined : `depth ${depth} answered ${a.status} ${r?.code} ${r?.field}`
    },
  }
})

/** Bytes a value takes as JSON, the way the collector measures a message. */
const bytes = (v: unknown) => encoder.encode(JSON.stringify(v)).length

/** A message padded to exactly the message limit plus `delta` bytes, in one- to six-byte characters. */
export const messageSizeProbe = (keys: Keys) => fc.record({
  delta: fc.integer({ min: -3, max: 3 }), char: pick(['x', 'é', '😀', '\u0000', '\ud800', '"']), single: fc.boolean(), n: fc.nat(),
}).map((g): Probe => {
  const m: Record<string, unknown> = g.single ? { writeKey: keys.writeKey } : {}
  Object.assign(m, { type: 'track', anonymousId: `size-${g.n % 100}`, event: 'sized', messageId: `fz-size-${g.n}`, properties: { pad: '' } })
  const target = LIMITS.messageBytes + g.delta
  const per = bytes(g.char) - 2
  const room = target - bytes(m)
  const pad = g.char.repeat(Math.floor(room / per)) + 'x'.repeat(room % per)
  ;(m.properties as { pad: string }).pad = pad
  if (bytes(m) !== target) throw new Error(`sizing: ${bytes(m)} ≠ ${target}`)
  const body = g.single ? m : { writeKey: keys.writeKey, batch: [m] }
  return {
    family: 'message-size', method: 'POST', path: g.single ? '/v1/track' : '/v1/batch', headers: { 'content-type': 'application/json' },
    body: encoder.encode(JSON.stringify(body)), ids: [`fz-size-${g.n}`], items: g.single ? undefined : 1,
    expect: (a) => {
      const r = refusalOf(a, !g.single)
      if (g.delta <= 0) return a.status === 200 && !r ? undefined : `${target} bytes refused: ${a.status} ${r?.code}`
      return r?.code === 'message_too_large' && a.status === (g.single ? 413 : 200) ? undefined : `${target} bytes answered ${a.status} ${r?.code}`
    },
  }
})

/**
 * A request of exactly the request limit plus `delta` bytes, sent with no Content-Length,
 * the true one, one that lies, or one that is not a number.
 */
export const requestSizeProbe = (keys: Keys) => fc.record({
  delta: fc.integer({ min: -2, max: 2 }),
  length: pick(['none', 'true', 'small', 'zero', 'huge', 'garbage', 'negative', 'list'] as const),
  stream: fc.option(fc.integer({ min: 1000, max: 70_000 }), { freq: 3, nil: undefined }),
  n: fc.nat(),
}).map((g): Probe => {
  const target = LIMITS.requestBytes + g.delta
  const head = `{"writeKey":${JSON.stringify(keys.writeKey)},"batch":[{"type":"track","anonymousId":"req-${g.n % 100}","event":"big","messageId":"fz-req-${g.n}"}],"pad":"`
  const body = encoder.encode(head + 'y'.repeat(target - head.length - 2) + '"}')
  const length = { none: undefined, true: String(target), small: '100', zero: '0', huge: '999999999', garbage: 'abc', negative: '-1', list: '10, 20' }[g.length]
  const refusedEarly = Number(length) > LIMITS.requestBytes
  return {
    family: 'request-size', method: 'POST', path: '/v1/batch', headers: { 'content-type': 'application/json', ...(length === undefined ? {} : { 'content-length': length }) },
    body, stream: g.stream ? { chunk: g.stream } : undefined, ids: [`fz-req-${g.n}`], items: 1,
    expect: (a) => {
      if (g.delta > 0 || refusedEarly) return a.status === 413 && a.body.error.code === 'payload_too_large' ? undefined : `${target} bytes (length ${length}) answered ${a.status}`
      return a.status === 200 && a.body.accepted === 1 ? undefined : `${target} bytes (length ${length}) answered ${a.status} ${a.body?.error?.code}`
    },
  }
})

/** Batches of exactly the message-count limit and one more. */
export const batchCountProbe = (keys: Keys, count: number): Probe => ({
  family: 'batch-count', method: 'POST', path: '/v1/batch', headers: { 'content-type': 'application/json' }, items: count,
  body: encoder.encode(JSON.stringify({ writeKey: keys.writeKey, batch: Array.from({ length: count }, () => ({ type: 'track' })) })),
  expect: (a) => (count <= LIMITS.batchMessages
    ? (a.status === 200 && a.body.rejected.length === count ? undefined : `${count} messages answered ${a.status}`)
    : (a.status === 413 && a.body.error.code === 'too_many_messages' ? undefined : `${count} messages answered ${a.status}`)),
})

/** A valid body with its bytes broken: truncated, a byte changed or inserted, invalid UTF-8 spliced in, a slice repeated. */
export const mutatedProbe = (keys: Keys, pools: Pools) => fc.tuple(batchProbe(keys, pools, true), pick(['truncate', 'flip', 'insert', 'utf8', 'repeat', 'delete'] as const), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
  .map(([p, op, at, len, byte]): Probe => {
    const b = p.body!
    const i = b.length ? at % b.length : 0
    const j = Math.min(b.length, i + 1 + (len % 16))
    const body = op === 'truncate' ? b.slice(0, i)
      : op === 'flip' ? Uint8Array.from(b, (x, k) => (k === i ? byte : x))
      : op === 'insert' ? concat([b.slice(0, i), Uint8Array.of(byte), b.slice(i)])
      : op === 'utf8' ? concat([b.slice(0, i), Uint8Array.from(INVALID_UTF8[len % INVALID_UTF8.length]), b.slice(i)])
      : op === 'repeat' ? concat([b.slice(0, j), b.slice(i, j), b.slice(j)])
      : concat([b.slice(0, i), b.slice(j)])
    return { ...p, family: 'mutated', body, items: undefined, ids: undefined }
  })

const SOUP = ['{', '}', '[', ']', '"', ':', ',', '1', 'e', '-', '.', ' ', '\\', 'u', 'a', 'n', 't', 'f', 'l', 'r', 's', '0', 'E', '+']

/** Random bytes, random text, and JSON-ish soup that walks the parser's edges. */
export const garbageProbe = fc.record({
  body: fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    fc.string({ unit: anyChar, maxLength: 64 }).map((s) => encoder.encode(s)),
    fc.string({ unit: pick(SOUP), maxLength: 40 }).map((s) => encoder.encode(s)),
  ),
  path: pick(['/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/alias', '/v1/group']),
  headers,
}).map((g): Probe => ({ family: 'garbage', method: 'POST', ...g }))

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const
const poison = new Obj([['polluted', 'yes'], ['isAdmin', true], ['prototype', new Obj([['polluted', 'yes']])], ['toString', 'x'], ['writeKey', 'wk_proto']])

/** `__proto__`, `constructor` and `prototype` added to every object of a body, at every level. */
function infect(v: unknown, k: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => infect(x, k + i))
  if (!(v instanceof Obj)) return v
  return new Obj([...v.entries.map(([key, x], i): [string, unknown] => [key, infect(x, k + i + 1)]), [PROTO_KEYS[k % 3], poison]])
}

export const prototypeProbe = (keys: Keys, pools: Pools) => fc.tuple(batchBody(keys, pools, true), fc.nat()).map(([b, k]): Probe => ({
  family: 'prototype', method: 'POST', path: '/v1/batch', headers: b.headers, body: encode(infect(b.obj(), k), b.rawStrings), items: b.ids.length, ids: b.ids,
}))
