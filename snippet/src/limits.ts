// The snippet's numbers in one place (imported constants are inlined by esbuild).

/** Calls kept in the retry queue; past it the oldest are dropped and counted. */
export const QUEUE_MAX = 100
/** Bytes of messages in one request: under the 64 KiB that keepalive and sendBeacon allow. */
export const BATCH_BYTES = 6e4
/** Wait before sending, so calls made together travel together. */
export const BATCH_DELAY = 300
/** Send at once when this many calls wait. */
export const BATCH_CALLS = 20
/** Inactivity that starts a new session (F-05), as the collector counts it. */
export const SESSION_GAP = 30 * 60 * 1000
