// "Edit properties" (F-25): name, email and custom attributes, saved with the source Dashboard.
import { useState } from 'preact/hooks'
import type { Profile } from '../../api-types'
import { Dialog } from '../../components/dialog'
import { FormError } from '../../components/states'
import { toast } from '../../components/toast'
import { useApi } from '../../session'
import { EMPTY_CATALOG, useCatalog } from '../../use-catalog'
import { AttributeFields, collect, rawOf, typeOfValue, type AttrDraft } from '../users/attribute-fields'

export function EditUserDialog({ profile, onClose, onSaved }: { profile: Profile; onClose: () => void; onSaved: () => void }) {
  const api = useApi()
  const catalog = useCatalog()
  const [name, setName] = useState(profile.name ?? '')
  const [email, setEmail] = useState(profile.email ?? '')
  const [drafts, setDrafts] = useState<AttrDraft[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const known = catalog.data ?? (catalog.error ? EMPTY_CATALOG : null)
  const rows =
    drafts ??
    (known
      ? profile.attributes.map((a) => {
          const k = known.attributes.find((x) => x.key === a.name)
          const type = k?.type ?? typeOfValue(a.value)
          return { key: a.name, type, raw: rawOf(a.value, type), declared: !!k?.declared, original: true } as AttrDraft
        })
      : null)

  const submit = async (e: Event) => {
    e.preventDefault()
    // Only what changed is sent, so an untouched attribute keeps its source.
    const changed = (rows ?? []).filter((d) => {
      if (!d.original) return true
      const before = profile.attributes.find((a) => a.name === d.key)
      return d.removed || rawOf(before?.value, d.type) !== d.raw
    })
    const attrs = collect(changed)
    if ('error' in attrs) return setError(attrs.error)
    const body: Parameters<typeof api.updateUser>[1] = { attributes: attrs.attributes }
    if (name.trim() !== (profile.name ?? '')) body.name = name.trim() || null
    if (email.trim() !== (profile.email ?? '')) body.email = email.trim() || null
    setBusy(true)
    setError(null)
    try {
      await api.updateUser(profile.id, body)
      toast('Profile saved')
      onSaved()
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }

  return (
    <Dialog title="Edit properties" onClose={onClose} wide>
      <form class="form" onSubmit={submit}>
        <div class="form-grid">
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
          {rows && <AttributeFields drafts={rows} onChange={setDrafts} catalog={known ?? EMPTY_CATALOG} />}
        </fieldset>
        <FormError error={error} />
        <div class="form-actions">
          <button type="button" class="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  )
}
