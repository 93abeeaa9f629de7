import { z } from 'zod'
import { JUNK_IDS, LIMITS } from './limits.js'

/**
 * One Segment-spec message as it arrives (https://segment.com/docs/connections/spec/).
 * Free-form objects (traits, properties, context) are checked to be plain objects and
 * kept as parsed, never copied key by key, so keys like `__proto__` stay inert data.
 */
const plainObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'must be a JSON object' },
)

/**
 * Characters an id cannot hold: control characters, and U+FFFD, which stands for text
 * damaged on the way in (invalid UTF-8, NUL or an unpaired surrogate; see clean-json.ts).
 * Two different ids could arrive as the same damaged one and join unrelated visitors.
 */
const DAMAGED = /[\u0000-\u001f\u007f\ufffd]/

/** A number as an id only when its text is exact: past 2^53, 9007199254740993 reads as …992. */
const exactNumber = (v: string | number, ctx: z.RefinementCtx): string | typeof z.NEVER => {
  if (typeof v === 'string') return v
  if (Number.isSafeInteger(v)) return String(v)
  ctx.addIssue({ code: 'custom', message: 'must be a string, or a whole number below 2^53 (send larger ids as strings)' })
  return z.NEVER
}

const id = z
  .union([z.string(), z.number()], { error: 'must be a string or a number' })
  .transform(exactNumber)
  .transform((v) => v.trim())
  .superRefine((v, ctx) => {
    if (v.length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty' })
    else if (v.length > LIMITS.idChars) ctx.addIssue({ code: 'custom', message: `must be at most ${LIMITS.idChars} characters` })
    else if (DAMAGED.test(v)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters, NUL, unpaired surrogates or invalid UTF-8' })
    else if (JUNK_IDS.has(v.toLowerCase())) ctx.addIssue({ code: 'custom', message: `"${v}" is not a usable id` })
  })

/** Message ids deduplicate: the same rules as ids for exactness, but any value is usable. */
const messageId = z
  .union([z.string(), z.number()], { error: 'must be a string or a number' })
  .transform(exactNumber)
  .superRefine((v, ctx) => {
    // Counted like the other ids, in UTF-16 units (zod's max() counts code points).
    if (v.length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty' })
    else if (v.length > LIMITS.idChars) ctx.addIssue({ code: 'custom', message: `must be at most ${LIMITS.idChars} characters` })
    else if (DAMAGED.test(v)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters, NUL, unpaired surrogates or invalid UTF-8' })
  })

/**
 * Text of at most `max` (and at least `min`) UTF-16 units. Not zod's own min()/max(): those
 * also run on a value of the wrong type that has a `length` key — an object such as
 * {"length": {"toString": 1}} then throws inside zod (a 500 the fuzz test found).
 * Refinements run only once the type is right.
 */
const text = (max: number, min = 0) => z.string()
  .refine((s) => s.length >= min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
  .refine((s) => s.length <= max, `must be at most ${max} characters`)
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).refine((a) => a.length <= max, `must hold at most ${max} items`)

const time = z.union([text(64), z.number()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : Date.parse(v)
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date or epoch milliseconds' })
    return z.NEVER
  }
  return Math.round(ms)
})

const base = {
  messageId: messageId.optional(),
  userId: id.nullish(),
  anonymousId: id.nullish(),
  timestamp: time.nullish(),
  sentAt: time.nullish(),
  context: plainObject.nullish(),
  /** Which destinations a message is meant for (Segment's `integrations`): kept with the event as sent. */
  integrations: plainObject.nullish(),
  /** Jimer extension: attributes to set only where absent (PostHog's `$set_once`). */
  setOnce: plainObject.nullish(),
  /** Jimer extension: attribute keys to remove. */
  unset: list(text(LIMITS.idChars, 1), 1000).nullish(),
}

export const messageSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('identify'), traits: plainObject.nullish() }),
  z.object({
    ...base,
    type: z.literal('track'),
    event: z.string().transform((v) => v.trim()).pipe(text(LIMITS.eventNameChars, 1)),
    properties: plainObject.nullish(),
  }),
  z.object({ ...base, type: z.literal('page'), name: text(LIMITS.eventNameChars).nullish(), category: text(LIMITS.eventNameChars).nullish(), properties: plainObject.nullish() }),
  z.object({ ...base, type: z.literal('screen'), name: text(LIMITS.eventNameChars).nullish(), properties: plainObject.nullish() }),
  z.object({ ...base, type: z.literal('alias'), previousId: id }),
  z.object({ ...base, type: z.literal('group'), groupId: id, traits: plainObject.nullish() }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'must be one of identify, track, page, screen, alias, group' : undefined) })

export type RawMessage = z.output<typeof messageSchema>
export type MessageType = RawMessage['type']

/** `$experience` track calls (F-03): experience interactions. */
export const experienceSchema = z.object({
  id: id,
  name: text(500).nullish(),
  action: z.enum(['seen', 'completed', 'dismissed', 'answered']),
  step: z.number().int().min(0).max(10_000).nullish(),
  steps: z.number().int().min(0).max(10_000).nullish(),
})

/** `$response` track calls (F-03): a survey answer. */
export const responseSchema = z.object({
  experience: id,
  step: z.number().int().min(0).max(10_000).nullish(),
  question: text(2000).nullish(),
  answer: z.union([text(10_000), z.number(), z.boolean(), list(text(2000), 100)]),
})
