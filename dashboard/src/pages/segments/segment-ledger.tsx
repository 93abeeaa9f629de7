// Entries and exits (issue 12): the segment's ledger — entered / left per day and the
// latest changes, each with its user and why (ingest, tag, import, edit, schedule, …).
import { useMemo, useState } from 'preact/hooks'
import type { Segment, SegmentLedgerRow } from '../../api-types'
import { DailyBars } from '../../components/chart'
import { RelativeTime } from '../../components/relative-time'
import { Segmented } from '../../components/segmented'
import { ErrorState, Loading } from '../../components/states'
import { displayName, formatNumber } from '../../format'
import { projectPath } from '../../router'
import { project, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export function SegmentLedger({ segment }: { segment: Segment }) {
  const api = useApi()
  const pid = project.value!.id
  const [days, setDays] = useState<7 | 30 | 90>(30)
  const [more, setMore] = useState<SegmentLedgerRow[]>([])
  const [cursor, setCursor] = useState<number | null>(null)
  const data = useResource(async () => {
    const [daily, recent] = await Promise.all([api.ledgerDaily(segment.id, days), api.ledger(segment.id)])
    setMore([])
    setCursor(recent.next)
    return { daily: daily.days, recent: recent.changes }
  }, [api, segment.id, days, versions.segments.value, versions.users.value])
  const series = useMemo(() => data.data && [
    { label: 'Entered', values: data.data.daily.map((d) => d.entered), color: '--green', fallback: '#12a150' },
    { label: 'Left', values: data.data.daily.map((d) => d.left), color: '--danger', fallback: '#e5484d' },
  ], [data.data])
  const loadMore = async () => {
    if (cursor === null) return
    const r = await api.ledger(segment.id, cursor)
    setMore([...more, ...r.changes])
    setCursor(r.next)
  }
  if (data.error) return <section class="card"><ErrorState error={data.error} retry={data.reload} /></section>
  const totals = data.data?.daily.reduce((t, d) => ({ entered: t.entered + d.entered, left: t.left + d.left }), { entered: 0, left: 0 })
  return (
    <section class="card stack" aria-label="Entries and exits">
      <div class="section-head">
        <h2 class="section-title">Entries and exits</h2>
        <Segmented label="Ledger period" value={days} options={[[7, '7 days'], [30, '30 days'], [90, '90 days']] as const} onChange={setDays} />
      </div>
      {!data.data || !series ? <Loading inline /> : (
        <>
          <p class="muted small ledger-totals">
            <span class="ledger-dot entered" /> {formatNumber(totals!.entered)} entered
            <span class="ledger-dot left" /> {formatNumber(totals!.left)} left in the last {days} days
          </p>
          <DailyBars days={data.data.daily.map((d) => d.day)} series={series} />
          {data.data.recent.length === 0 ? <p class="muted">Nobody has entered or left yet.</p> : (
            <ul class="ledger">
              {[...data.data.recent, ...more].map((r) => (
                <li key={r.id}>
                  <span class={`badge ${r.entered ? 'entered' : 'left'}`}>{r.entered ? 'Entered' : 'Left'}</span>
                  <a href={`${projectPath(pid, 'users')}?user=${r.user.id}`} class="ellipsis">{displayName(r.user)}</a>
                  <span class="spacer" />
                  <span class="muted small">{r.cause}</span>
                  <span class="muted small"><RelativeTime ms={r.at} /></span>
                </li>
              ))}
            </ul>
          )}
          {cursor !== null && <button type="button" class="btn btn-secondary btn-sm" onClick={() => void loadMore()}>Show more</button>}
        </>
      )}
    </section>
  )
}
