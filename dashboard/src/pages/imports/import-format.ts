// How the import screens show sizes, delimiters and values as stored.
import { formatNumber } from '../../format'

const UNITS = ['B', 'KB', 'MB', 'GB']

/** "12.4 MB": powers of 1024, one decimal under 100. */
export function formatBytes(n: number): string {
  let v = n
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`
}

export const DELIMITER_LABEL: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }

/** A converted value as text: lists joined, numbers and booleans as stored. */
export const storedText = (v: string | number | boolean | string[]) => (Array.isArray(v) ? v.join(', ') : String(v))

/** "1,234 of 5,000". */
export const ofTotal = (n: number, total: number) => `${formatNumber(n)} of ${formatNumber(total)}`
