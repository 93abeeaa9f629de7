import fc from 'fast-check'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import type { Keys, Probe } from './fuzz-messages.js'
import { pick } from './fuzz-values.js'

/**
 * How a body travels: Content-Type, Content-Encoding (the collector does not decompress,
 * so compressed bodies — gzip bombs included — must be a clean 415), streamed bodies that
 * end early, other methods and paths.
 */

const encoder = new TextEncoder()

/** 16 MiB of zeros in 16 KiB of gzip, and the same zipped twice: decompressing either would be the bug. */
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

/** Compressed bodies and bombs: 415 unsupported_encoding, without decompressing. Identity: accepted. */
const encodingProbe = (keys: Keys) => fc.record({
  encoding: pick([...ENCODINGS, 'identity', 'bomb']), n: fc.nat(), plain: fc.nat(9).map((x) => x === 0),
}).map((g): Probe => {
  const text = batchOf(keys, g.n)
  if (g.encoding === 'bomb') {
    const [encoding, body] = Object.entries(BOMBS)[g.n % 3]
    return {
      family: 'gzip-bomb', method: 'POST', path: '/v1/batch', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body,
      expect: (a) => (a.status === 415 && a.body.error.code === 'unsupported_encoding' ? undefined : `a ${encoding} bomb answered ${a.status}`),
    }
  }
  const compress = /br/.test(g.encoding) ? brotliCompressSync : /deflate/.test(g.encoding) ? deflateSync : gzipSync
  // A plain body under a Content-Encoding header (a runtime that decompressed already) is read as it is.
  const plain = g.plain || g.encoding === 'identity' || g.encoding === 'compress' || g.encoding === 'aes128gcm'
  const body = plain ? encoder.encode(text) : compress(text)
  return {
    family: 'content-encoding', method: 'POST', path: '/v1/batch', headers: { 'content-type': 'application/json', 'content-encoding': g.encoding }, body,
    ids: [`fz-tp-${g.n}`], items: 1,
    expect: (a) => plain
      ? (a.status === 200 ? undefined : `plain body under ${g.encoding} answered ${a.status}`)
      : (a.status === 415 && a.body.error.code === 'unsupported_encoding' ? undefined : `${g.encoding} body answered ${a.status} ${a.body?.error?.code}`),
  }
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
