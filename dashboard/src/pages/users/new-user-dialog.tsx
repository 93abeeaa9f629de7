// "+ New user" (F-25): default properties and typed custom attributes; saved with the source Dashboard.
import { useState } from 'preact/hooks'
import { Dialog } from '../../components/dialog'
import { FormError, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { bump, useApi } from '../../session'
import { EMPTY_CATALOG, useCatalog } from '../../use-catalog'
import { AttributeFields, collect, type AttrDraft } from './attribute-fields'

export function NewUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (pk: number) => void }) {
  const api = useApi()
  const catalog = useCatalog()
  const [userId, setUserId] = useState('')
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  // Declared attributes are offered up front, so their types are visible before typing.
  const [drafts, setDrafts] = useState<AttrDraft[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const declared = catalog.data ? catalog.data.attributes.filter((a) => a.declared).map((a) => ({ key: a.key, type: a.type, raw: '', declared: true })) : catalog.error ? [] : null
  const rows = drafts ?? declared

  const submit = async (e: Event) => {
    e.preventDefault()
    const attrs = collect((rows ?? []).filter((d) => d.raw.trim() !== '' || !d.declared))
    if ('error' in attrs) return setError(attrs.error)
    setBusy(true)
    setError(null)
    try {
      const { id } = await api.createUser({ userId: userId.trim(), name: name.trim() || undefined, email: email.trim() || undefined, attributes: attrs.attributes })
      bump('users', 'segments', 'catalog')
      toast(`${name.trim() || userId.trim()} created`)
      onCreated(id)
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }

  return (
    <Dialog title="New user" onClose={onClose} wide>
      <form class="form" onSubmit={submit}>
        <div class="form-grid">
          <label class="field">
            <span>User id <span class="req">required</span></span>
            <input class="input" required maxLength={255} value={userId} placeholder="the id your product uses" onInput={(e) => setUserId(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Name</span>
            <input class="input" maxLength={1000} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Email</span>
            <input class="input" type="email" maxLength={320} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
        </div>
        <fieldset class="fieldset">
          <legend>Custom attributes</legend>
          {rows ? <AttributeFields drafts={rows} onChange={setDrafts} catalog={catalog.data ?? EMPTY_CATALOG} /> : <Loading inline label="Loading attributes…" />}
        </fieldset>
        <FormError error={error} />
        <div class="form-actions">
          <button type="button" class="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy || !userId.trim()}>{busy ? 'Creating…' : 'Create user'}</button>
        </div>
      </form>
    </Dialog>
  )
}
