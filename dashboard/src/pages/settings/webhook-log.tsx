// One endpoint's deliveries, newest first: status, attempts, last error, response time; Replay.
import { useEffect, useState } from 'preact/hooks'
import type { Webhook, WebhookDelivery } from '../../api-types'
import { Dialog } from '../../components/dialog'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, FormError, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { isAdmin, useApi } from '../../session'
import { useResource } from '../../use-resource'

const STATUS_LABEL: Record<WebhookDelivery['status'], string> = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' }

export function WebhookLog({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const api = useApi()
  const log = useResource(() => api.webhookDeliveries(webhook.id), [api, webhook.id])
  const [more, setMore] = useState<WebhookDelivery[]>([])
  const [next, setNext] = useState<number | null | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)
  const rows = [...(log.data?.deliveries ?? []), ...more]
  const cursor = next === undefined ? log.data?.next ?? null : next
  // While something is on its way, the log refreshes itself: a delivery takes a moment, a retry longer.
  const waiting = rows.some((d) => d.status === 'pending')
  useEffect(() => {
    if (!waiting) return
    const timer = setTimeout(log.reload, 1000)
    return () => clearTimeout(timer)
  }, [waiting, log.data])
  const replay = async (d: WebhookDelivery) => {
    setError(null)
    try {
      await api.replayDelivery(webhook.id, d.id)
      toast('Replay queued')
      setMore([])
      setNext(undefined)
      log.reload()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  const loadMore = async () => {
    const page = await api.webhookDeliveries(webhook.id, cursor ?? undefined)
    setMore([...more, ...page.deliveries])
    setNext(page.next)
  }
  return (
    <Dialog title={`Deliveries to ${webhook.url}`} wide onClose={onClose}>
      {log.error ? <ErrorState error={log.error} retry={log.reload} /> : !log.data ? <Loading inline /> : rows.length === 0 ? (
        <p class="muted small">Nothing sent yet: deliveries appear when someone enters or leaves a followed segment.</p>
      ) : (
        <table class="table compact" data-testid="webhook-log">
          <thead><tr><th>Event</th><th>Segment</th><th>User</th><th>Status</th><th>Attempts</th><th>Last error</th><th>Response</th><th>Time</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} data-testid="delivery-row">
                <td>{d.eventType === 'segment.entered' ? 'Entered' : 'Left'}{d.replayOf !== null && <span class="badge subtle">replay</span>}</td>
                <td>{d.payload.data?.segment?.name ?? `#${d.segmentId}`}</td>
                <td>{d.payload.data?.user?.id ?? d.payload.data?.user?.email ?? `#${d.userPk}`}</td>
                <td><span class={`badge webhook-${d.status}`}>{STATUS_LABEL[d.status]}</span>{d.lastStatus !== null && <span class="muted small"> HTTP {d.lastStatus}</span>}</td>
                <td>{d.attempts}</td>
                <td class="webhook-error">{d.lastError ?? <span class="muted">—</span>}</td>
                <td>{d.responseMs === null ? <span class="muted">—</span> : `${d.responseMs} ms`}</td>
                <td><RelativeTime ms={d.deliveredAt ?? d.createdAt} />{d.status === 'pending' && d.nextAttemptAt && <span class="muted small"> · next <RelativeTime ms={d.nextAttemptAt} /></span>}</td>
                <td>{isAdmin.value && <button type="button" class="btn btn-ghost btn-sm" aria-label={`Replay delivery ${d.id}`} onClick={() => void replay(d)}>Replay</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor !== null && rows.length > 0 && <button type="button" class="btn btn-secondary btn-sm" onClick={() => void loadMore().catch((e) => setError((e as Error).message))}>Load older</button>}
      <FormError error={error} />
    </Dialog>
  )
}
