/** Value conversions the export formats share. */

/** The largest time a JavaScript Date holds (±100,000,000 days around 1970). */
const MAX_TIME = 8.64e15

/**
 * Epoch milliseconds of a time: a number (the engine's unit) or a date string as the
 * attribute checks accept it (`Date.parse`); null when it is neither, or out of range.
 */
export function toMillis(v: unknown): number | null {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME ? Math.round(ms) : null
}

/** Text as it reads: strings as they are, anything else as JSON (lists, objects, numbers). */
export const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))
