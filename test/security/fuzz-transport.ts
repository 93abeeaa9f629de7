import fc from 'fast-check'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { LIMITS } from '../../worker/src/ingest/limits.js'
import type { Keys, Probe } from './fuzz-messages.js'
import { pick } from './fuzz-values.js'

/**
 * How a body travels: Content-Type, Content-Encoding (gzip and deflate are inflated up to
 * the request limit — a gzip bomb is a 413, a body that does not inflate a 400 — and any
 * other encoding is a clean 415), streamed bodies that end early, other methods and paths.
 */

const encoder = new TextEncoder()

/** 16 MiB of zeros in 16 KiB of gzip, and the same zipped twice: inflating past the limit would be the bug. */
const ZEROS = JSON.stringify({ pad: '' }).slice(0, -2) + '0'.repeat(16 * 1024 * 1024) + '"}'
const BOMBS = (() => {
  const gz = gzipSync(ZEROS, { level: 9 })
  return { gzip: gz, 'gzip, gzip': gzipSync(gz), deflate: deflateSync(ZEROS, { level: 9 }) }
})()

const CONTENT_TYPES = ['application/json', 'text/plain', 'text/plain;charset=UTF-8', 'TEXT/PLAIN; CHARSET=ISO-8859-1',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=----x', 'application/json; charset=utf-16le',
  'application/xml', 'image/png', '*/*', 'application/json;;;', 'text/html; charset=utf-8', 'application/jsonp']

const ENCODINGS = ['gzip', 'x-gzip', 'GZIP', 'deflate', 'br', 'gzip, identity', 'compress', 'aes128gcm', ' gzip ']

/** A small valid track message, its id unique to `n`. */
const track = (keys: Keys, n: number) =>
  ({ writeKey: keys.writeKey, type: 'track', anonymousId: `tp-${n % 50}`, event: 'transport', messageId: `fz-tp-${n}` })
const batchOf = (keys: Keys, n: number) => JSON.stringify({ writeKey: keys.writeKey, batch: [{ ...track(keys, n), writeKey: undefined }] })

/** Any Content-Type (the collector reads every body as JSON text): accepted. */
const contentTypeProbe = (keys: Keys) => fc.record({ type: fc.option(pick(CONTENT_TYPES), { nil: undefined }), n: fc.nat() }).map((g): Probe => ({
  family: 'content-type', method: 'POST', path: '/v1/batch', headers: g.type === undefined ? {} : { 'content-type': g.type },
  body: encoder.encode(batchOf(keys, g.n)), ids: [`fz-tp-${g.n}`], items: 1,
  expect: (a) => (a.status === 200 && a.body.accepted === 1 ? undefined : `Content-Type ${g.type} answered ${a.status}`),
}))

/** Encodings the collector inflates (header values as clients write them). */
const INFLATED = new Set(['gzip', 'x-gzip', 'GZIP', 'deflate', 'gzip, identity', ' gzip '])

const refusal = (status: number, code: string, what: string) => (a: { status: number; body: any }) =>
  (a.status === status && a.body?.error?.code === code ? undefined : `${what} answered ${a.status} ${a.body?.error?.code ?? ''}`)

/** Compressed bodies and bombs. gzip/deflate: inflated; a bomb 413; a plain body under their header 400; others 415. */
const encodingProbe = (keys: Keys) => fc.record({
  encoding: pick([...ENCODINGS, 'identity', 'bomb']), n: fc.nat(), plain: fc.nat(9).map((x) => x === 0),
}).map((g): Probe => {
  const text = batchOf(keys, g.n)
  if (g.encoding === 'bomb') {
    const [encoding, body] = Object.entries(BOMBS)[g.n % 3]
    const headers = { 'content-type': 'application/json', 'content-encoding': encoding }
    // Two codings are refused unread; one is inflated up to the limit and no further.
    const expect = encoding.includes(',') ? refusal(415, 'unsupported_encoding', `a ${encoding} bomb`) : refusal(413, 'payload_too_large', `a ${encoding} bomb`)
    return { family: 'gzip-bomb', method: 'POST', path: '/v1/batch', headers, body, expect }
  }
  const compress = /br/.test(g.encoding) ? brotliCompressSync : /deflate/.test(g.encoding) ? deflateSync : gzipSync
  const plain = g.plain || g.encoding === 'identity' || g.encoding === 'compress' || g.encoding === 'aes128gcm'
  const body = plain ? encoder.encode(text) : compress(text)
  const headers = { 'content-type': 'application/json', 'content-encoding': g.encoding }
  const accepted = (a: { status: number; body: any }) => (a.status === 200 && a.body.accepted === 1 ? undefined : `${g.encoding} body answered ${a.status} ${a.body?.error?.code ?? ''}`)
  const expect = g.encoding === 'identity' ? accepted
    : !INFLATED.has(g.encoding) ? refusal(415, 'unsupported_encoding', `${g.encoding} body`)
    // A body under gzip/deflate that is not compressed is not guessed at: the client is wrong.
    : plain ? refusal(400, 'invalid_compressed_body', `a plain body under ${g.encoding}`)
    : accepted
  return { family: 'content-encoding', method: 'POST', path: '/v1/batch', headers, body, ids: [`fz-tp-${g.n}`], items: 1, expect }
})

/**
 * Any other probe's body, gzipped or deflated: the collector must answer it as it answers
 * the plain body (same expectations, same parse oracle on the inflated bytes), and a body
 * cut short on the way (the last bytes of its trailer lost) is a 400.
 */
const COLLECTOR_PATH = /^\/v1\/(batch|track|identify|page|screen|alias|group|[btipsag])$/

export const compressedProbe = (inner: fc.Arbitrary<Probe>) => fc.tuple(inner, fc.boolean(), fc.nat(7)).map(([p, gzip, cut]): Probe => {
  // Only bodies the collector reads: another path is a 404 whatever its body (seed 94606775).
  if (p.method !== 'POST' || !p.body || p.stream || !COLLECTOR_PATH.test(p.path)) return p
  if (p.headers['content-encoding'] !== undefined || p.headers['content-length'] !== undefined) return p
  const body = gzip ? gzipSync(p.body) : deflateSync(p.body)
  const headers = { ...p.headers, 'content-encoding': gzip ? 'gzip' : 'deflate' }
  const family = `${gzip ? 'gzip' : 'deflate'}(${p.family})`
  if (cut === 0) {
    const tooLarge = p.body.length > LIMITS.requestBytes
    return {
      family: family + ' cut short', method: p.method, path: p.path, headers, body: body.subarray(0, body.length - 3), plain: p.body,
      // A body whose inflated part already passed the limit is refused for that before its end is read.
      expect: (a) => (a.status === 400 && a.body?.error?.code === 'invalid_compressed_body') || (tooLarge && a.status === 413) ? undefined : `a cut-short body answered ${a.status} ${a.body?.error?.code ?? ''}`,
    }
  }
  return { ...p, family, headers, body, plain: p.body }
})

/** Bodies streamed in chunks of any size; a stream that breaks off is a 4xx, never a 5xx. */
const streamProbe = (keys: Keys) => fc.record({ chunk: fc.integer({ min: 1, max: 512 }), fail: fc.nat(3).map((x) => x === 0), n: fc.nat(), single: fc.boolean() }).map((g): Probe => ({
  family: 'stream', method: 'POST', path: g.single ? '/v1/track' : '/v1/batch', headers: { 'content-type': 'application/json' },
  body: encoder.encode(g.single ? JSON.stringify(track(keys, g.n)) : batchOf(keys, g.n)), stream: { chunk: g.chunk, fail: g.fail },
  ids: [`fz-tp-${g.n}`], items: g.single ? undefined : 1,
  expect: (a) => (g.fail
    ? (a.status === 400 && a.body.error.code === 'incomplete_body' ? undefined : `a broken stream answered ${a.status} ${a.body?.error?.code}`)
    : (a.status === 200 ? undefined : `a stream in ${g.chunk}-byte chunks answered ${a.status}`)),
}))

/** Other methods and odd paths: a JSON 404 (or the CORS preflight), never a 5xx. */
const routeProbe = (keys: Keys) => fc.record({
  method: pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST', 'HEAD']),
  path: pick(['/v1/batch/', '/v1/BATCH', '/v1/batch?x=%00', '/v1/track;x', '/v1//track', '/v1/identify/..', '/v1/%F0%9F%8E%89',
    '/v1/batch?writeKey=' + keys.writeKey, '/v1/' + 'a'.repeat(5000), '/v1/screen', '/v1/track#x', '/v1/page%2F']),
  n: fc.nat(),
}).map((g): Probe => ({
  family: 'route', method: g.method, path: g.path, headers: { 'content-type': 'application/json' },
  body: g.method === 'GET' || g.method === 'HEAD' ? null : encoder.encode(batchOf(keys, g.n)),
}))

export const transportProbe = (keys: Keys) => fc.oneof(contentTypeProbe(keys), encodingProbe(keys), streamProbe(keys), routeProbe(keys))
