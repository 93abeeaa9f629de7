import { z } from 'zod'
import { ApiError } from '../errors.js'
import { ATTRIBUTE_KEY, ATTRIBUTE_TYPES, TARGETS, type Column, type MatchBy } from './convert.js'

/** Rows per chunk: one transaction each. Big enough to amortise a commit, small enough to keep the writer responsive. */
export const MAX_CHUNK_ROWS = 5000

export const columnSchema = z.object({
  header: z.string().max(500),
  target: z.enum(TARGETS),
  key: z.string().regex(ATTRIBUTE_KEY, 'must be 1–64 of A-Z a-z 0-9 _ . - starting with a letter or _').optional(),
  type: z.enum(ATTRIBUTE_TYPES).optional(),
})

export const importOptionsSchema = z.object({
  name: z.string().trim().min(1).max(200),
  match: z.enum(['userId', 'email']),
  createNew: z.boolean().default(true),
  updateExisting: z.boolean().default(true),
  columns: z.array(columnSchema).min(1).max(500),
  /** F-62: a static segment of the imported users, with this name. */
  segmentName: z.string().trim().min(1).max(200).nullish(),
  chunkRows: z.number().int().min(1).max(MAX_CHUNK_ROWS).default(MAX_CHUNK_ROWS),
})
export type ImportOptions = z.output<typeof importOptionsSchema>

/** What zod cannot say about a mapping: one column per native field, a column to match on, keys unique. */
export function checkColumns(columns: Column[], match: MatchBy): Column[] {
  const seen = new Map<string, number>()
  const out = columns.map((c, i) => {
    const field = `columns.${i}`
    if (c.target === 'userId' || c.target === 'email' || c.target === 'name') {
      if (seen.has(c.target)) throw new ApiError(400, 'duplicate_column', `columns ${seen.get(c.target)} and ${i} both map to ${c.target}`, field)
      seen.set(c.target, i)
    }
    if (c.target !== 'attribute') return { header: c.header, target: c.target }
    if (!c.key) throw new ApiError(400, 'missing_field', `column "${c.header}" maps to an attribute but names no key`, `${field}.key`)
    if (['email', 'name', 'user_id', 'userId'].includes(c.key)) throw new ApiError(400, 'invalid_field', `"${c.key}" is a native field: map the column to it instead`, `${field}.key`)
    const k = `attribute:${c.key}`
    if (seen.has(k)) throw new ApiError(400, 'duplicate_column', `columns ${seen.get(k)} and ${i} both map to attribute ${c.key}`, `${field}.key`)
    seen.set(k, i)
    return { header: c.header, target: c.target, key: c.key, type: c.type ?? 'string' }
  })
  if (!seen.has(match)) throw new ApiError(400, 'missing_match_column', `matching by ${match} needs a column mapped to ${match}`, 'columns')
  return out
}
