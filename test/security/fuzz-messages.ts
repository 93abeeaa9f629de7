import fc from 'fast-check'
import { Obj, toBytes, toJson } from './fuzz-json.js'
import {
  anonymousId, context, deepOrHuge, experienceProperties, hostileId, jsonValue, key, mostly, nastyText, object, pick,
  responseProperties, text, time, traits, userId, wrongType,
} from './fuzz-values.js'

/** What every body generator of the collector fuzzer produces: one request and what its answer must show. */
export interface Probe {
  family: string
  method: string
  path: string
  headers: Record<string, string>
  body: Uint8Array | null
  /** When `body` is compressed: the bytes it inflates to, which the answer must be about. */
  plain?: Uint8Array
  /** Sent as a stream in chunks of this size, without a Content-Length; `fail`: the stream errors midway. */
  stream?: { chunk: number; fail?: boolean }
  /** Messages in the batch, when the body is a well-formed batch. */
  items?: number
  /** Our message ids by item index, to check that what was acknowledged was stored. */
  ids?: (string | null)[]
  /** Checks beyond the invariants every answer meets; returns what is wrong. */
  expect?: (a: Answer) => string | undefined
}

export interface Answer { status: number; body: any }

export interface Keys { writeKey: string; secretKey: string }

export const TYPES = ['identify', 'track', 'page', 'screen', 'alias', 'group'] as const
export type Type = (typeof TYPES)[number]
export const SINGLE_PATHS = ['/v1/track', '/v1/identify', '/v1/page', '/v1/alias', '/v1/group', '/v1/screen'] as const

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain;charset=UTF-8', 'TEXT/PLAIN',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16',
  'application/octet-stream', ';;;', 'application/json, text/html', '']

/** Request headers: mostly JSON or sendBeacon's text/plain, sometimes anything, an Origin now and then. */
export const headers = fc.record({
  type: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constant('text/plain;charset=UTF-8') },
    { weight: 2, arbitrary: pick(CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(null) }),
  origin: fc.option(pick(['https://example.com', 'null', 'http://localhost:8787', 'https://évil.example']), { freq: 6, nil: undefined }),
}).map(({ type, origin }) => ({ ...(type === null ? {} : { 'content-type': type }), ...(origin ? { origin } : {}) }))

/** A message id of ours (checked against the events table later), a shared one (a retry), or a hostile one. */
const messageId = fc.oneof(
  { weight: 10, arbitrary: fc.nat().map((n) => `fz-${n}`) },
  { weight: 1, arbitrary: fc.nat(20).map((n) => `fz-dup-${n}`) },
  { weight: 1, arbitrary: fc.oneof(hostileId, wrongType) },
)

const eventName = fc.oneof(
  { weight: 6, arbitrary: pick(['order_placed', 'signup', 'clicked', 'page view', '$experience', '$response']) },
  { weight: 1, arbitrary: fc.oneof(pick(['', '  ', '$page', 'e'.repeat(200), 'e'.repeat(201), 'nul\u0000name', 'lone\ud800']), nastyText, wrongType) },
)

/** Fields of each type beyond the common ones. */
function typeFields(type: Type): fc.Arbitrary<Record<string, unknown>> {
  const free = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 60, arbitrary: a }, { weight: 1, arbitrary: deepOrHuge }, { weight: 3, arbitrary: wrongType })
  switch (type) {
    case 'identify': return fc.record({ traits: free(traits) }, { requiredKeys: [] })
    case 'track': return eventName.chain((event) => fc.record({
      event: fc.constant(event),
      properties: free(event === '$experience' ? experienceProperties : event === '$response' ? responseProperties : object),
    }, { requiredKeys: ['event'] }))
    case 'page': return fc.record({ name: mostly(text), category: mostly(text), properties: free(object) }, { requiredKeys: [] })
    case 'screen': return fc.record({ name: mostly(text), properties: free(object) }, { requiredKeys: [] })
    case 'alias': return fc.record({ previousId: mostly(fc.oneof(userId, anonymousId), hostileId) }, { requiredKeys: ['previousId'] })
    case 'group': return fc.record({ groupId: mostly(fc.nat(9).map((i) => `g${i}`), hostileId), traits: free(traits) }, { requiredKeys: ['groupId'] })
  }
}

/** Which ids a message names; alias needs the user id. */
const idsFor = (type: Type) => fc.oneof(
  { weight: type === 'alias' ? 0 : 4, arbitrary: fc.record({ anonymousId: mostly(anonymousId, hostileId) }) },
  { weight: 3, arbitrary: fc.record({ userId: mostly(userId, hostileId) }) },
  { weight: 4, arbitrary: fc.record({ userId: mostly(userId, hostileId), anonymousId: mostly(anonymousId, hostileId) }) },
  { weight: 1, arbitrary: fc.constant({}) },
)

/** One message: mostly valid, each field sometimes hostile or of the wrong type, extra keys now and then. */
export function message(typeArb: fc.Arbitrary<Type> = pick(TYPES)): fc.Arbitrary<{ m: Obj; id: string | null }> {
  return typeArb.chain((type) => fc.tuple(
    mostly(fc.constant(type), pick(['launch', 'Track', '', ' track'])),
    idsFor(type),
    fc.record({ messageId, timestamp: time, sentAt: time, context, setOnce: object, unset: mostly(fc.array(key, { maxLength: 3 })) }, { requiredKeys: ['messageId'] }),
    typeFields(type),
    fc.array(fc.tuple(key, fc.oneof({ weight: 40, arbitrary: jsonValue }, { weight: 1, arbitrary: deepOrHuge })), { maxLength: 2 }),
  )).map(([type, ids, common, own, extra]) => ({
    m: new Obj([['type', type], ...Object.entries(ids), ...Object.entries(common), ...Object.entries(own), ...extra]),
    id: typeof common.messageId === 'string' && common.messageId.startsWith('fz-') ? common.messageId : null,
  }))
}

/** How the request names its project: the write key in the body mostly, or as HTTP Basic, or wrongly. */
const credentials = (keys: Keys) => fc.oneof(
  { weight: 40, arbitrary: fc.constant({ body: keys.writeKey }) },
  { weight: 3, arbitrary: fc.constant({ body: keys.secretKey }) },
  { weight: 3, arbitrary: fc.constant({ basic: 'Basic ' + btoa(keys.writeKey + ':') }) },
  { weight: 1, arbitrary: fc.oneof(pick(['wk_nope', '', keys.writeKey + ' ', keys.writeKey.toUpperCase()]), wrongType).map((body) => ({ body })) },
  { weight: 1, arbitrary: pick(['Basic !!!', 'Basic ' + btoa('\u00ff:'), 'Bearer x', 'Basic ', 'basic ' + btoa(':' + keys.writeKey)]).map((basic) => ({ basic })) },
  { weight: 1, arbitrary: fc.constant({}) },
)

const withCredentials = (c: { body?: unknown; basic?: string }, h: Record<string, string>) =>
  ({ entries: 'body' in c ? [['writeKey', c.body] as [string, unknown]] : [], headers: c.basic ? { ...h, authorization: c.basic } : h })

/** A pooled message, with its JSON text written once (as is, and with raw strings). */
export interface Pooled { m: Obj; id: string | null; text: string; raw: string }

/**
 * Messages, contexts and extra keys are drawn once per run (fast-check builds a message in
 * about a millisecond, and a huge one takes longer to write as JSON) and recombined per
 * body: each body picks its own, with fresh ids.
 */
export interface Pools { messages: Record<Type, Pooled[]>; small: Record<Type, Pooled[]>; huge: Pooled[]; contexts: Obj[]; times: unknown[]; extras: [string, unknown][] }

export function makePools(seed: number, size = 400): Pools {
  const sample = <T>(arb: fc.Arbitrary<T>, k: number, n = size) => fc.sample(arb, { seed: seed + k, numRuns: n })
  const all = Object.fromEntries(TYPES.map((type, k) => [type, sample(message(fc.constant(type)), k)
    .map((x): Pooled => ({ ...x, text: toJson(x.m), raw: toJson(x.m, true) }))])) as Pools['messages']
  const under = (bytes: number) => Object.fromEntries(TYPES.map((type) => [type, all[type].filter((x) => x.text.length < bytes)])) as Pools['messages']
  return {
    // Messages past 4 KB (huge strings, deep nesting) are sent, but in one batch in 32 only.
    messages: under(4096),
    small: under(4096),
    huge: TYPES.flatMap((type) => all[type].filter((x) => x.text.length >= 4096)),
    contexts: sample(context, 10, 100),
    times: sample(time, 11, 100),
    extras: sample(fc.tuple(key, jsonValue), 12, 100),
  }
}

/** A pooled message with a fresh id of ours, unique to the body (`n`) and its place in it. */
function fresh(x: Pooled, n: number, i: number): Pooled {
  if (!x.id || x.id.startsWith('fz-dup-')) return x
  const id = `fz-${n}-${i}`
  const swap = (text: string) => text.replace(`"messageId":${JSON.stringify(x.id)}`, `"messageId":${JSON.stringify(id)}`)
  return { m: new Obj(x.m.entries.map(([k, v]) => (k === 'messageId' && v === x.id ? [k, id] : [k, v]))), id, text: swap(x.text), raw: swap(x.raw) }
}

const fromPool = <T>(xs: T[], n: number) => xs[n % xs.length]

/** A /v1/batch body of 0–4 messages, with batch-level context and sentAt now and then. */
export const batchBody = (keys: Keys, pools: Pools, small = false) => fc.record({
  picks: fc.array(fc.nat(), { maxLength: 4 }),
  n: fc.nat(),
  credentials: credentials(keys),
  shared: fc.nat(63),
  headers,
  rawStrings: fc.nat(9).map((n) => n === 0),
}).map((g) => {
  const { entries, headers: h } = withCredentials(g.credentials, g.headers)
  const from = small ? pools.small : pools.messages
  const picked = g.picks.map((p) => fromPool(from[TYPES[p % TYPES.length]], p >> 3))
  if (!small && g.n % 32 === 0 && pools.huge.length) picked.push(fromPool(pools.huge, g.n >> 5))
  const messages = picked.map((x, i) => fresh(x, g.n, i))
  // One batch in eight carries a batch-level context, sentAt or an extra key.
  const shared: [string, unknown][] = g.shared % 8 !== 0 ? [] : [
    g.shared & 8 ? ['context', fromPool(pools.contexts, g.n)] : ['sentAt', fromPool(pools.times, g.n)],
    ...(g.shared & 16 ? [fromPool(pools.extras, g.n >> 2)] : []),
  ]
  const obj = () => new Obj([...entries, ['batch', messages.map((x) => x.m)], ...shared])
  // The same text as toJson(obj()), from the messages' texts written once.
  const part = (e: [string, unknown]) => toJson(e[0], g.rawStrings) + ':' + toJson(e[1], g.rawStrings)
  const text = '{' + [...entries.map(part), '"batch":[' + messages.map((x) => (g.rawStrings ? x.raw : x.text)).join(',') + ']', ...shared.map(part)].join(',') + '}'
  return { obj, text, headers: h, rawStrings: g.rawStrings, ids: messages.map((x) => x.id) }
})

export const batchProbe = (keys: Keys, pools: Pools, small = false) => batchBody(keys, pools, small).map((b): Probe => ({
  // analytics.js batches to /v1/b: the same endpoint.
  family: 'batch', method: 'POST', path: b.ids.length % 4 === 3 ? '/v1/b' : '/v1/batch', headers: b.headers, body: toBytes(b.text), items: b.ids.length, ids: b.ids,
}))

/** A single-message endpoint (/v1/track, /v1/identify, …) with the message as the body. */
export const singleProbe = (keys: Keys, pools: Pools) => fc.record({
  path: pick(SINGLE_PATHS),
  pick: fc.nat(),
  n: fc.nat(),
  credentials: credentials(keys),
  headers,
  rawStrings: fc.nat(9).map((n) => n === 0),
  short: fc.nat(3).map((n) => n === 0),
}).map((g): Probe => {
  const x = fresh(fromPool(pools.messages[g.path.slice(4) as Type], g.pick), g.n, 0)
  const { entries, headers: h } = withCredentials(g.credentials, g.headers)
  const own = g.rawStrings ? x.raw : x.text
  const text = entries.length ? '{' + toJson(entries[0][0]) + ':' + toJson(entries[0][1], g.rawStrings) + (own === '{}' ? '}' : ',' + own.slice(1)) : own
  // analytics.js posts to the one-letter paths (/v1/t, /v1/i, …): the same endpoints.
  return { family: 'single', method: 'POST', path: g.short ? g.path.slice(0, 5) : g.path, headers: h, body: toBytes(text), ids: [x.id] }
})

/** JSON text as bytes; `rawStrings` writes unpaired surrogates unescaped (they arrive as U+FFFD). */
export const encode = (v: unknown, rawStrings = false): Uint8Array => toBytes(toJson(v, rawStrings))
