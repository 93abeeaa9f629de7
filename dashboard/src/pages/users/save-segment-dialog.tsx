// "Save as...": the current filter becomes a saved segment (F-23).
import { useState } from 'preact/hooks'
import { Dialog } from '../../components/dialog'
import { FormError } from '../../components/states'
import { toast } from '../../components/toast'
import type { ConditionTree } from '../../condition-model'
import { bump, useApi } from '../../session'

export function SaveSegmentDialog({ conditions, onClose }: { conditions: ConditionTree; onClose: () => void }) {
  const api = useApi()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const s = await api.createSegment({ name: name.trim(), description, kind: 'dynamic', conditions })
      bump('segments')
      toast(`Segment “${s.name}” saved: ${s.memberCount} ${s.memberCount === 1 ? 'user' : 'users'}`)
      onClose()
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  return (
    <Dialog title="Save as segment" onClose={onClose}>
      <form onSubmit={save} class="form">
        <label class="field">
          <span>Name</span>
          <input class="input" required maxLength={200} value={name} placeholder="e.g. Paying users, active last 30d" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Description <span class="muted">(optional)</span></span>
          <textarea class="input" rows={2} maxLength={2000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <FormError error={error} />
        <div class="form-actions">
          <button type="button" class="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()}>{busy ? 'Saving…' : 'Save segment'}</button>
        </div>
      </form>
    </Dialog>
  )
}
