import { formatDateTime, relativeTime } from '../format'

/** "12 hours ago", with the exact time on hover and for screen readers in the datetime. */
export function RelativeTime({ ms }: { ms: number | null | undefined }) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return <span class="muted">never</span>
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)}>
      {relativeTime(ms)}
    </time>
  )
}
