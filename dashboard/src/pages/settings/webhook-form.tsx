// Making or editing a webhook endpoint: URL, description, the segments it follows, enabled.
import { useState } from 'preact/hooks'
import type { Segment, Webhook, WebhookInput } from '../../api-types'
import { Dialog } from '../../components/dialog'
import { FormError } from '../../components/states'

export function WebhookForm(props: { webhook?: Webhook; segments: Segment[]; onSave: (input: WebhookInput) => Promise<void>; onClose: () => void }) {
  const w = props.webhook
  const [url, setUrl] = useState(w?.url ?? '')
  const [description, setDescription] = useState(w?.description ?? '')
  const [all, setAll] = useState(!w?.segmentIds)
  const [chosen, setChosen] = useState<number[]>(w?.segmentIds ?? [])
  const [enabled, setEnabled] = useState(w?.enabled ?? true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await props.onSave({ url: url.trim(), description: description.trim(), segmentIds: all ? null : chosen, enabled })
      props.onClose()
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  const toggle = (id: number) => setChosen(chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id])
  return (
    <Dialog title={w ? 'Edit webhook' : 'Add a webhook'} onClose={props.onClose}
      footer={<>
        <button type="button" class="btn btn-secondary" onClick={props.onClose}>Cancel</button>
        <button type="submit" form="webhook-form" class="btn btn-primary" disabled={busy || !url.trim() || (!all && !chosen.length)}>{busy ? 'Saving…' : w ? 'Save' : 'Add webhook'}</button>
      </>}>
      <form id="webhook-form" class="stack" onSubmit={save}>
        <label class="field">
          <span>Endpoint URL</span>
          <input class="input mono" type="url" required maxLength={2048} placeholder="https://crm.example.com/hooks/jimer" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Description</span>
          <input class="input" maxLength={500} placeholder="CRM sync" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <fieldset class="field">
          <legend>Segments</legend>
          <label class="check"><input type="radio" name="webhook-scope" checked={all} onChange={() => setAll(true)} /> Every segment</label>
          <label class="check"><input type="radio" name="webhook-scope" checked={!all} onChange={() => setAll(false)} /> Only these:</label>
          {!all && (
            <div class="check-list">
              {props.segments.length === 0 ? <p class="muted small">No segments yet.</p> : props.segments.map((s) => (
                <label class="check" key={s.id}><input type="checkbox" checked={chosen.includes(s.id)} onChange={() => toggle(s.id)} /> {s.name}</label>
              ))}
            </div>
          )}
        </fieldset>
        <label class="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled</label>
      </form>
      <FormError error={error} />
    </Dialog>
  )
}
