// Webhooks (issue 12): endpoints that receive segment.entered / segment.left, signed per
// Standard Webhooks. The secret shows once, when the endpoint is made; viewers only read.
import { useState } from 'preact/hooks'
import type { Webhook } from '../../api-types'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { CopyButton } from '../../components/copy-button'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, FormError, Loading } from '../../components/states'
import { isAdmin, useApi } from '../../session'
import { useResource } from '../../use-resource'
import { WebhookForm } from './webhook-form'
import { WebhookLog } from './webhook-log'

export function WebhooksCard() {
  const api = useApi()
  const hooks = useResource(() => api.webhooks(), [api])
  const segments = useResource(() => api.segments(), [api])
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null)
  const [deleting, setDeleting] = useState<Webhook | null>(null)
  const [rotating, setRotating] = useState<Webhook | null>(null)
  const [logOf, setLogOf] = useState<Webhook | null>(null)
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const names = new Map((segments.data?.segments ?? []).map((s) => [s.id, s.name]))
  const toggle = async (w: Webhook) => {
    setError(null)
    try {
      await api.updateWebhook(w.id, { enabled: !w.enabled })
      hooks.reload()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <section class="card stack webhooks" aria-labelledby="webhooks-title">
      <div class="section-head">
        <h2 class="section-title" id="webhooks-title">Webhooks</h2>
        {isAdmin.value && <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing('new')}>Add webhook</button>}
      </div>
      <p class="muted small">Each entry into or exit from a segment is POSTed as <code>segment.entered</code> / <code>segment.left</code>, signed per Standard Webhooks (<code>webhook-signature</code>), retried with backoff until it is delivered.</p>
      {secret && (
        <div class="notice stack" role="status" data-testid="webhook-secret">
          <p>Copy the signing secret of <strong>{secret.url}</strong> now: it is not shown again. Your receiver verifies each delivery with it.</p>
          <div class="inline-form">
            <input class="input mono" readOnly aria-label="Signing secret" value={secret.secret} />
            <CopyButton text={secret.secret} label="Copy secret" />
          </div>
        </div>
      )}
      {hooks.error ? <ErrorState error={hooks.error} retry={hooks.reload} /> : !hooks.data ? <Loading inline /> : hooks.data.webhooks.length === 0 ? (
        <p class="muted small">No webhooks yet.</p>
      ) : (
        <table class="table compact">
          <thead><tr><th>Endpoint</th><th>Segments</th><th>Status</th><th>Last delivery</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {hooks.data.webhooks.map((w) => (
              <tr key={w.id} data-testid="webhook-row">
                <td><div class="mono webhook-url">{w.url}</div>{w.description && <div class="muted small">{w.description}</div>}</td>
                <td>{w.segmentIds === null ? 'All segments' : w.segmentIds.map((id) => names.get(id) ?? `#${id}`).join(', ')}</td>
                <td>
                  <span class={w.enabled ? 'badge webhook-delivered' : 'badge webhook-failed'}>{w.enabled ? 'Enabled' : 'Disabled'}</span>
                  {w.pending > 0 && <span class="muted small"> {w.pending} pending</span>}
                  {w.disabledReason && <div class="small webhook-error">{w.disabledReason}</div>}
                  {w.enabled && w.failingSince && <div class="small webhook-error">failing since <RelativeTime ms={w.failingSince} /></div>}
                </td>
                <td><RelativeTime ms={w.lastDeliveredAt} /></td>
                <td class="row-actions">
                  <button type="button" class="btn btn-ghost btn-sm" aria-label={`Deliveries to ${w.url}`} onClick={() => setLogOf(w)}>Log</button>
                  {isAdmin.value && <>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label={`${w.enabled ? 'Disable' : 'Enable'} ${w.url}`} onClick={() => void toggle(w)}>{w.enabled ? 'Disable' : 'Enable'}</button>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label={`Edit ${w.url}`} onClick={() => setEditing(w)}>Edit</button>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label={`Rotate the secret of ${w.url}`} onClick={() => setRotating(w)}>Rotate secret</button>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label={`Delete ${w.url}`} onClick={() => setDeleting(w)}>Delete</button>
                  </>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormError error={error} />
      {editing && (
        <WebhookForm webhook={editing === 'new' ? undefined : editing} segments={segments.data?.segments ?? []} onClose={() => setEditing(null)}
          onSave={async (input) => {
            if (editing === 'new') {
              const made = await api.createWebhook(input)
              setSecret({ url: made.url, secret: made.secret })
            } else {
              await api.updateWebhook(editing.id, input)
            }
            hooks.reload()
          }} />
      )}
      {deleting && (
        <ConfirmDialog title={`Delete the webhook to ${deleting.url}?`} confirmLabel="Delete" danger onClose={() => setDeleting(null)}
          onConfirm={async () => { await api.deleteWebhook(deleting.id); hooks.reload() }}>
          <p>Nothing more is sent to it, and its delivery log goes too{deleting.pending > 0 ? `, with ${deleting.pending} deliveries not yet made` : ''}.</p>
        </ConfirmDialog>
      )}
      {rotating && (
        <ConfirmDialog title={`New signing secret for ${rotating.url}?`} confirmLabel="Rotate secret" onClose={() => setRotating(null)}
          onConfirm={async () => { const r = await api.rotateWebhookSecret(rotating.id); setSecret({ url: rotating.url, secret: r.secret }) }}>
          <p>Deliveries are signed with the new secret from now on, retries too: a receiver that still checks the old one refuses them until you give it the new one.</p>
        </ConfirmDialog>
      )}
      {logOf && <WebhookLog webhook={logOf} onClose={() => { setLogOf(null); hooks.reload() }} />}
    </section>
  )
}
