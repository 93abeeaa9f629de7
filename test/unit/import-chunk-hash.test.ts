import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chunkHash } from '../../worker/src/imports/chunk.js'

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex')

describe('import chunk hashes', () => {
  it('are the same through node:crypto as through WebCrypto, so a resume finds the chunks either runtime committed', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }), { minLength: 1, maxLength: 5 }), async (cells) => {
      const input = { cells, rowNumbers: cells.map((_, i) => i + 2), syntaxErrors: [] }
      expect(await chunkHash(input, sha256Hex)).toBe(await chunkHash(input))
    }), { numRuns: 300 })
  })
})
