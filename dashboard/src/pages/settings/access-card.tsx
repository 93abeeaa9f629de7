// Who may send (F-10, F-08): the origins the collector accepts the write key from, and
// whether identifies must be signed with the secret key.
import { useState } from 'preact/hooks'
import type { Settings, Verification } from '../../api-types'
import { IconX } from '../../components/icons'
import { FormError } from '../../components/states'
import { toast } from '../../components/toast'
import { isAdmin, useApi } from '../../session'

const MODES: [Verification, string, string][] = [
  ['off', 'Off', 'Identify calls are trusted as sent.'],
  ['optional', 'Optional', 'A signed identify is checked; an unsigned one is still accepted.'],
  ['required', 'Required', 'Identify calls without a valid HMAC-SHA256 of the user id are refused.'],
]

export function AccessCard({ settings, onChanged }: { settings: Settings; onChanged: () => void }) {
  const api = useApi()
  const admin = isAdmin.value
  const [origins, setOrigins] = useState(settings.allowedOrigins)
  const [draft, setDraft] = useState('')
  const [error, setError] = useState<string | null>(null)
  const dirty = origins.join('\n') !== settings.allowedOrigins.join('\n')

  const addOrigin = (e: Event) => {
    e.preventDefault()
    const o = draft.trim().replace(/\/$/, '')
    if (!o) return
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) return setError('An origin is * or like https://app.example.com (no path).')
    setError(null)
    // "*" already allows every site: it replaces the list, and a named origin replaces it.
    setOrigins(o === '*' ? ['*'] : [...origins.filter((x) => x !== '*' && x !== o), o])
    setDraft('')
  }
  const save = async (body: { allowedOrigins?: string[]; verification?: Verification }, done: string) => {
    setError(null)
    try {
      await api.updateSettings(body)
      toast(done)
      onChanged()
    } catch (err) {
      setError((err as Error).message)
    }
  }

  return (
    <section class="card stack" aria-labelledby="access-title">
      <h2 class="section-title" id="access-title">Allowed origins</h2>
      <p class="muted small">Sites whose pages may send with the write key. <code>*</code> allows any site.</p>
      <ul class="chips">
        {origins.map((o) => (
          <li key={o} class="chip">
            <span class="mono">{o}</span>
            {admin && origins.length > 1 && <button type="button" class="icon-btn" aria-label={`Remove ${o}`} onClick={() => setOrigins(origins.filter((x) => x !== o))}><IconX size={12} /></button>}
          </li>
        ))}
      </ul>
      {admin && (
        <form class="inline-form" onSubmit={addOrigin}>
          <input class="input" placeholder="https://app.example.com" aria-label="Origin to allow" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button class="btn btn-secondary" type="submit">Add</button>
          <button class="btn btn-primary" type="button" disabled={!dirty} onClick={() => void save({ allowedOrigins: origins }, 'Allowed origins saved')}>Save origins</button>
        </form>
      )}
      <h2 class="section-title">Identity verification</h2>
      <div class="radio-list" role="radiogroup" aria-label="Identity verification">
        {MODES.map(([mode, label, help]) => (
          <label key={mode} class={settings.verification === mode ? 'radio-card on' : 'radio-card'}>
            <input type="radio" name="verification" value={mode} checked={settings.verification === mode} disabled={!admin} onChange={() => void save({ verification: mode }, `Identity verification: ${label.toLowerCase()}`)} />
            <span><strong>{label}</strong><span class="muted small"> — {help}</span></span>
          </label>
        ))}
      </div>
      <FormError error={error} />
    </section>
  )
}
