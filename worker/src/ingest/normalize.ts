import type { z } from 'zod'
import { experienceSchema, messageSchema, responseSchema, type MessageType } from './message-schema.js'
import { LIMITS } from './limits.js'
import { cleanJson, TOO_DEEP } from './clean-json.js'

/** Why one message was refused; a batch reports it with the item's index. */
export interface Rejection { code: string; message: string; field?: string }

/** Where an attribute value came from (F-12). */
export type Source = 'Native' | 'SDK' | 'Import' | 'Dashboard' | 'API'

/** A message after validation: ids checked, time corrected, traits split into native and custom. */
export interface Message {
  type: MessageType
  messageId: string
  userId: string | null
  anonymousId: string | null
  previousId: string | null
  /** Stored event name: the track event, or `$page`, `$screen`, `$identify`, `$alias`, `$group`. */
  name: string
  properties: Record<string, unknown>
  context: Record<string, unknown>
  /** The device's address, set by the collector only where the project stores addresses. */
  ip?: string | null
  /** Segment's `integrations`, stored with the event; null when not sent. */
  integrations: Record<string, unknown> | null
  timestamp: number
  receivedAt: number
  /** Native traits; `undefined` leaves the value as it is, `null` clears it. */
  email?: string | null
  displayName?: string | null
  /** Custom attributes to set; a `null` value removes the key. */
  set: Record<string, unknown>
  setOnce: Record<string, unknown>
  source: Source
  /** Counts as user activity (last seen, sessions, events count). */
  active: boolean
  sessionId: string | null
  experience?: z.output<typeof experienceSchema>
  response?: z.output<typeof responseSchema>
}

const NATIVE_EMAIL = ['email', 'user:email']
const NATIVE_NAME = ['name', 'user:name']
const ACTIVE_TYPES = new Set<MessageType>(['track', 'page', 'screen'])
const encoder = new TextEncoder()

/** Bytes of a value as JSON, counted only when its length could exceed the limit. */
function jsonBytes(text: string): number {
  return text.length * 3 <= LIMITS.messageBytes ? text.length : encoder.encode(text).length
}

function rejection(issue: z.core.$ZodIssue, prefix = ''): Rejection {
  const field = prefix + issue.path.map(String).join('.')
  if (issue.code === 'invalid_type' && issue.input === undefined) return { code: 'missing_field', message: `${field} is required`, field }
  if (field === 'type') return { code: 'invalid_type', message: `type ${issue.message}`, field }
  const code = /Id$/.test(field) && issue.code === 'custom' ? 'invalid_id' : 'invalid_field'
  return { code, message: `${field} ${issue.message}`, field }
}

/**
 * Validates one raw message and turns it into a {@link Message}.
 * `defaults` carries batch-level fields (sentAt, context) that items inherit.
 */
export function normalizeMessage(
  raw: unknown,
  opts: { receivedAt: number; source: Source; defaults?: { sentAt?: unknown; context?: unknown; integrations?: unknown }; messageId: () => string },
): Message | Rejection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { code: 'invalid_message', message: 'a message must be a JSON object' }
  // Cleaned before anything else reads it: bounded depth, and text that libSQL stores as
  // sent (ids that needed cleaning are then refused by the schema, see message-schema.ts).
  const fields: [string, unknown][] = []
  for (const [key, value] of Object.entries({ sentAt: opts.defaults?.sentAt, context: opts.defaults?.context, integrations: opts.defaults?.integrations, ...raw })) {
    const clean = cleanJson(value, LIMITS.jsonDepth - 1)
    if (clean === TOO_DEEP) return { code: 'too_deep', message: `${key || '""'} nests objects and arrays deeper than ${LIMITS.jsonDepth} levels`, field: key || '""' }
    fields.push([key, clean])
  }
  const size = jsonBytes(JSON.stringify(raw))
  if (size > LIMITS.messageBytes) return { code: 'message_too_large', message: `a message must be at most ${LIMITS.messageBytes} bytes (this one is ${size})` }

  const parsed = messageSchema.safeParse(Object.fromEntries(fields))
  if (!parsed.success) return rejection(parsed.error.issues[0])
  const m = parsed.data

  const traits = ('traits' in m && m.traits) || {}
  let userId = m.userId ?? null
  if (userId === null && 'user:id' in traits) {
    const checked = messageSchema.safeParse({ type: 'identify', userId: traits['user:id'] })
    if (!checked.success) return rejection(checked.error.issues[0], 'traits.user:')
    userId = checked.data.userId ?? null
  }
  const anonymousId = m.anonymousId ?? null
  if (m.type === 'alias' && userId === null) return { code: 'missing_field', message: 'alias needs the userId that previousId becomes', field: 'userId' }
  if (userId === null && anonymousId === null) return { code: 'missing_id', message: 'every message needs a userId or an anonymousId', field: 'userId' }

  const receivedAt = opts.receivedAt
  let timestamp = m.timestamp ?? receivedAt
  if (m.sentAt != null && m.timestamp != null) timestamp = receivedAt - (m.sentAt - m.timestamp)
  if (timestamp > receivedAt + LIMITS.futureMs) timestamp = receivedAt

  const message: Message = {
    type: m.type,
    messageId: m.messageId ?? opts.messageId(),
    userId,
    anonymousId,
    previousId: m.type === 'alias' ? m.previousId : null,
    name: '$' + m.type,
    properties: {},
    context: m.context ?? {},
    integrations: m.integrations ?? null,
    timestamp,
    receivedAt,
    // Null prototype: a trait or unset key named `__proto__` is then data, not the object's prototype.
    set: Object.create(null) as Record<string, unknown>,
    setOnce: m.setOnce ?? {},
    source: opts.source,
    active: ACTIVE_TYPES.has(m.type),
    sessionId: typeof m.context?.sessionId === 'string' ? m.context.sessionId.slice(0, LIMITS.idChars) : null,
  }
  // context.traits are the traits of the user sending the message (Segment spec, "Context"):
  // applied like identify's, before the message's own traits and unset, which win.
  const contextTraits = m.context?.traits
  if (contextTraits !== undefined && contextTraits !== null) {
    if (typeof contextTraits !== 'object' || Array.isArray(contextTraits)) return { code: 'invalid_field', message: 'context.traits must be a JSON object', field: 'context.traits' }
    const problem = splitTraits(contextTraits as Record<string, unknown>, message, 'context.traits')
    if (problem) return problem
  }
  for (const key of m.unset ?? []) message.set[key] = null

  switch (m.type) {
    case 'identify': {
      const problem = splitTraits(traits, message)
      if (problem) return problem
      message.properties = traits
      break
    }
    case 'group':
      message.set.company = { ...traits, id: m.groupId }
      message.properties = { groupId: m.groupId, traits }
      break
    case 'alias':
      message.properties = { previousId: m.previousId }
      break
    case 'page':
    case 'screen':
      message.properties = { ...(m.name != null ? { name: m.name } : {}), ...(m.type === 'page' && m.category != null ? { category: m.category } : {}), ...m.properties }
      break
    case 'track': {
      message.name = m.event
      message.properties = m.properties ?? {}
      if (m.event === '$experience') {
        const exp = experienceSchema.safeParse(message.properties)
        if (!exp.success) return rejection(exp.error.issues[0], 'properties.')
        message.experience = exp.data
      } else if (m.event === '$response') {
        const res = responseSchema.safeParse(message.properties)
        if (!res.success) return rejection(res.error.issues[0], 'properties.')
        message.response = res.data
      }
      break
    }
  }
  return message
}

/** Moves native traits (F-04) onto the message and the rest into custom attributes. */
function splitTraits(traits: Record<string, unknown>, message: Message, path = 'traits'): Rejection | undefined {
  for (const key of Object.keys(traits)) {
    const value = traits[key]
    const native = NATIVE_EMAIL.includes(key) ? 'email' : NATIVE_NAME.includes(key) ? 'displayName' : null
    if (native) {
      if (value !== null && typeof value !== 'string') return { code: 'invalid_field', message: `${path}.${key} must be a string or null`, field: `${path}.${key}` }
      message[native] = value === null ? null : value.trim().slice(0, 1000) || null
    } else if (key !== 'user:id') {
      message.set[key] = value
    }
  }
}

export function isRejection(x: Message | Rejection): x is Rejection {
  return 'code' in x
}
