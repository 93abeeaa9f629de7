import { ApiError } from '../errors.js'

/** The `Content-Encoding` values the collector inflates, by the DecompressionStream format that reads them. */
const FORMATS: Record<string, CompressionFormat> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate' }

const tooLarge = (limit: number, inflated: boolean) => new ApiError(
  413, 'payload_too_large',
  `a request body must be at most ${limit} bytes${inflated ? ' once decompressed' : ''}`,
)

/**
 * A request body as text, at most `limit` bytes on the wire and, when it is compressed
 * (`Content-Encoding: gzip` or `deflate`, as RudderStack's, PostHog's and other server SDKs
 * send), at most `limit` bytes once inflated. Inflating runs as a stream through
 * DecompressionStream (a web standard: the same code on Node and Workers) and stops at the
 * limit, so a gzip bomb costs at most `limit` bytes of memory before its 413.
 * A body that cannot be inflated (garbage, truncated, or not compressed at all) is a 400;
 * any other encoding, or two codings, a 415.
 *
 * `deflate` is the zlib format that HTTP names so (RFC 9110 §8.4.1.2), not raw deflate.
 *
 * @example
 * const text = await bodyText(c.req.raw, 500 * 1024)
 */
export async function bodyText(req: Request, limit: number): Promise<string> {
  const encoding = req.headers.get('content-encoding') ?? ''
  // A list of codings, identity dropped; one coding at most (nobody compresses twice but a bomb).
  const codings = encoding.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x && x !== 'identity')
  const format = codings.length === 0 ? null : codings.length === 1 ? FORMATS[codings[0]] : undefined
  if (format === undefined) {
    throw new ApiError(415, 'unsupported_encoding', `Content-Encoding ${encoding} is not accepted; send the body uncompressed, gzip or deflate`)
  }
  const declared = req.headers.get('content-length')
  if (Number(declared) > limit) throw tooLarge(limit, false)
  // A body that breaks off (the client went away, a proxy reset) is the caller's problem, not a 500.
  const incomplete = () => new ApiError(400, 'incomplete_body', 'the request body ended before it was complete; send it again')
  if (!format && declared !== null) {
    // Uncompressed with its length declared (and within the limit, above): an HTTP server's
    // parser reads exactly that many bytes, so it is read whole — on Node, @hono/node-server
    // then reads the socket directly instead of building a web Request and stream (~14 % of
    // the collector's main thread under load). A Request handed in process can lie about its
    // length, so the bytes are counted again.
    let bytes: ArrayBuffer
    try {
      bytes = await req.arrayBuffer()
    } catch {
      throw incomplete()
    }
    if (bytes.byteLength > limit) throw tooLarge(limit, false)
    return new TextDecoder().decode(bytes)
  }
  if (!req.body) return ''
  const wire = limited(req.body, limit, () => tooLarge(limit, false), incomplete)
  if (!format) return new TextDecoder().decode(await readAll(wire))
  // The cast: TypeScript types its writable side as BufferSource, which Uint8Array chunks are.
  const inflated = limited(wire.pipeThrough(new DecompressionStream(format) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>), limit, () => tooLarge(limit, true), () => new ApiError(400, 'invalid_compressed_body', `the body is not valid ${format} data (corrupt or cut short)`))
  return new TextDecoder().decode(await readAll(inflated))
}

/**
 * `source`, failing with `tooBig()` once more than `limit` bytes have passed and with
 * `broken()` when reading fails for any reason other than an ApiError raised upstream.
 */
function limited(source: ReadableStream<Uint8Array>, limit: number, tooBig: () => ApiError, broken: () => ApiError): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  let size = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let r: ReadableStreamReadResult<Uint8Array>
      try {
        r = await reader.read()
      } catch (e) {
        throw e instanceof ApiError ? e : broken()
      }
      if (r.done) return controller.close()
      size += r.value.byteLength
      if (size > limit) {
        await reader.cancel().catch(() => {})
        throw tooBig()
      }
      controller.enqueue(r.value)
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value)
    size += r.value.byteLength
  }
  const all = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.byteLength
  }
  return all
}
