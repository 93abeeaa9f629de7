/** Collector limits (F-15). Exported so tests and docs read the same numbers. */
export const LIMITS = {
  /** Bytes of one message as JSON. */
  messageBytes: 32 * 1024,
  /** Bytes of one request body. */
  requestBytes: 500 * 1024,
  /** Messages in one batch. */
  batchMessages: 2500,
  /** Characters of an id (userId, anonymousId, messageId, groupId, previousId). */
  idChars: 255,
  /** Levels of objects and arrays in one message, the message itself being level 1. */
  jsonDepth: 64,
  /** Characters of an event name. */
  eventNameChars: 200,
  /** A timestamp further in the future than this (after skew correction) is clamped to now. */
  futureMs: 23 * 60 * 60 * 1000,
  /** Inactivity that starts a new session (F-05). */
  sessionGapMs: 30 * 60 * 1000,
} as const

/**
 * Values that sites send by mistake as ids (stringified nothing, placeholders). Stored as
 * ids they would join unrelated visitors into one profile, so they are refused.
 */
export const JUNK_IDS = new Set([
  'undefined', 'null', 'none', 'nil', 'nan', '0', '-1', '[object object]', 'anonymous', 'guest',
  'distinct_id', 'distinctid', 'id', 'user_id', 'userid', 'not_authenticated', 'true', 'false', '""', "''",
])
