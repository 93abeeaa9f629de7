// Events (F-34): counts per day (7 / 30 / 90), then the events newest first with their full
// payload, filtered by type and period ("Last hour" for what just happened).
import { useState } from 'preact/hooks'
import type { UserEvent } from '../../api-types'
import { DailyChart } from '../../components/chart'
import { Segmented } from '../../components/segmented'
import { Empty, ErrorState, Loading } from '../../components/states'
import { useApi, versions } from '../../session'
import { useCatalog } from '../../use-catalog'
import { useResource } from '../../use-resource'
import { EventItem } from './event-item'

const PERIODS = [['hour', 'Last hour', 3_600_000], ['day', 'Last 24 hours', 86_400_000], ['week', 'Last 7 days', 7 * 86_400_000], ['month', 'Last 30 days', 30 * 86_400_000], ['all', 'All time', 0], ['custom', 'Custom…', 0]] as const
type Period = (typeof PERIODS)[number][0]

export function EventsTab({ pk }: { pk: number }) {
  const api = useApi()
  const catalog = useCatalog()
  const [days, setDays] = useState<7 | 30 | 90>(30)
  const [type, setType] = useState('')
  const [period, setPeriod] = useState<Period>('all')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const daily = useResource(() => api.daily(pk, days), [api, pk, days, versions.users.value])

  const range = (): { from?: number; to?: number } => {
    if (period === 'custom') return { from: from ? Date.parse(from) : undefined, to: to ? Date.parse(to) : undefined }
    const span = PERIODS.find(([k]) => k === period)![2]
    return span ? { from: Date.now() - span } : {}
  }

  return (
    <div class="stack">
      <section class="card">
        <div class="section-head">
          <h3 class="section-title">Events per day</h3>
          <Segmented label="Chart period" value={days} options={[[7, '7 days'], [30, '30 days'], [90, '90 days']] as const} onChange={setDays} />
        </div>
        {daily.error ? <ErrorState error={daily.error} retry={daily.reload} /> : !daily.data ? <Loading inline /> : <DailyChart days={daily.data.days} label="Events per day" />}
      </section>

      <div class="filters">
        <select class="select" aria-label="Event type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">All events</option>
          {(catalog.data?.events ?? []).map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <select class="select" aria-label="Period" value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)}>
          {PERIODS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
        </select>
        {period === 'custom' && (
          <>
            <input class="input" type="datetime-local" aria-label="From" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            <input class="input" type="datetime-local" aria-label="To" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </>
        )}
      </div>
      {/* Keyed by the filters: new filters start from the newest event again. */}
      <EventList key={`${type}|${period}|${from}|${to}`} pk={pk} type={type} range={range()} />
    </div>
  )
}

export function EventList({ pk, type, range, empty = 'No events in this period.' }: { pk: number; type: string; range: { from?: number; to?: number }; empty?: string }) {
  const api = useApi()
  const [more, setMore] = useState<UserEvent[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const first = useResource(async () => {
    const page = await api.events(pk, { type: type || undefined, ...range, limit: 50 })
    setMore([])
    setCursor(page.next)
    return page
  }, [api, pk, versions.users.value])
  const loadMore = async () => {
    if (!cursor) return
    setBusy(true)
    try {
      const page = await api.events(pk, { type: type || undefined, ...range, limit: 50, before: cursor })
      setMore([...more, ...page.events])
      setCursor(page.next)
    } finally {
      setBusy(false)
    }
  }
  if (first.error) return <ErrorState error={first.error} retry={first.reload} title="Could not load events" />
  if (!first.data) return <Loading label="Loading events…" />
  const events = [...first.data.events, ...more]
  if (!events.length) return <Empty title="No events">{empty}</Empty>
  return (
    <div class="event-list">
      <ol class="timeline">{events.map((e) => <EventItem key={e.id} event={e} />)}</ol>
      {cursor && <button type="button" class="btn btn-secondary btn-sm" disabled={busy} onClick={loadMore}>{busy ? 'Loading…' : 'Load older events'}</button>}
    </div>
  )
}
