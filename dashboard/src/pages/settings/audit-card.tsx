// The audit log (governance): every change through the admin API, newest first, with
// filters by actor, object type and time.
import { useState } from 'preact/hooks'
import type { AuditEntry, AuditQuery } from '../../api-types'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, Loading } from '../../components/states'
import { useApi } from '../../session'
import { useResource } from '../../use-resource'

const TYPES = ['project', 'segment', 'tag', 'user', 'attribute', 'import', 'export', 'settings', 'key', 'token', 'member', 'invitation', 'webhook']

/** `name: "A" → "B"` pairs from the summary, as plain text. */
function summaryText(e: AuditEntry): string {
  const before = e.summary.before ?? {}
  const after = e.summary.after ?? {}
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))
  return keys.map((k) => (k in before && k in after ? `${k}: ${show(before[k])} → ${show(after[k])}` : k in after ? `${k}: ${show(after[k])}` : `${k} was ${show(before[k])}`)).join('; ')
}

/** The filter as the API reads it: times from the local date-time inputs as ISO 8601. */
const asQuery = (f: AuditQuery): AuditQuery => ({ ...f, from: f.from ? new Date(f.from).toISOString() : undefined, to: f.to ? new Date(f.to).toISOString() : undefined })

export function AuditCard() {
  const api = useApi()
  const [filter, setFilter] = useState<AuditQuery>({})
  const [more, setMore] = useState<AuditEntry[]>([])
  const [next, setNext] = useState<number | null>(null)
  const log = useResource(async () => {
    const r = await api.audit(asQuery(filter))
    setMore([])
    setNext(r.next)
    return r
  }, [api, filter.actor, filter.objectType, filter.from, filter.to])
  const loadMore = async () => {
    if (next === null) return
    const r = await api.audit({ ...asQuery(filter), before: next })
    setMore([...more, ...r.entries])
    setNext(r.next)
  }
  const entries = [...(log.data?.entries ?? []), ...more]
  return (
    <section class="card stack audit" aria-labelledby="audit-title">
      <h2 class="section-title" id="audit-title">Audit log</h2>
      <div class="inline-form">
        <input class="input" aria-label="Filter by actor" placeholder="Actor (email or token name)" onChange={(e) => setFilter({ ...filter, actor: e.currentTarget.value.trim() || undefined })} />
        <select class="select" aria-label="Filter by object type" onChange={(e) => setFilter({ ...filter, objectType: e.currentTarget.value || undefined })}>
          <option value="">All objects</option>
          {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <input class="input" type="datetime-local" aria-label="From" onChange={(e) => setFilter({ ...filter, from: e.currentTarget.value || undefined })} />
        <input class="input" type="datetime-local" aria-label="To" onChange={(e) => setFilter({ ...filter, to: e.currentTarget.value || undefined })} />
      </div>
      {log.error ? <ErrorState error={log.error} retry={log.reload} /> : !log.data ? <Loading inline /> : entries.length === 0 ? <p class="muted small">Nothing recorded for this filter.</p> : (
        <table class="table compact">
          <thead><tr><th>When</th><th>Who</th><th>What</th><th>Object</th><th>Change</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <td><RelativeTime ms={e.at} /></td>
                <td class="audit-actor">{e.actor.name}{e.actor.type === 'token' && <span class="muted small"> (token)</span>}</td>
                <td class="audit-action">{e.action}</td>
                <td>{e.objectType}{e.objectId ? ` ${e.objectId}` : ''}</td>
                <td class="audit-summary">{summaryText(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && <div><button type="button" class="btn btn-ghost btn-sm" onClick={() => void loadMore()}>Load older</button></div>}
    </section>
  )
}
