/**
 * A file built page by page into a ReadableStream: the consumer's pace decides when the next
 * page is read (pull), so memory holds about one page whatever the segment's size.
 */
import type { Row } from './members.js'

export type Emit = (bytes: Uint8Array) => void

/** A file format: writes its start when opened, then each page, then its end, through `emit`. */
export interface Encoder<T = Row> {
  rows(rows: T[]): void
  end(): void
}

/**
 * The first page is read before the stream is handed back: a query that fails fails the
 * request (a JSON error) instead of cutting off a file that has already begun.
 */
export async function exportStream<T>(pages: AsyncIterator<T[]>, open: (emit: Emit) => Encoder<T>): Promise<ReadableStream<Uint8Array>> {
  let next = await pages.next()
  let encoder: Encoder<T>
  return new ReadableStream<Uint8Array>({
    start(controller) {
      encoder = open((bytes) => controller.enqueue(bytes))
    },
    async pull(controller) {
      try {
        if (next.done) {
          encoder.end()
          controller.close()
          return
        }
        encoder.rows(next.value)
        next = await pages.next()
      } catch (e) {
        // The response has begun: all the client sees is a cut-off download, so say why here.
        console.error('export failed mid-stream', e)
        throw e
      }
    },
    async cancel() {
      await pages.return?.(undefined)
    },
  })
}
