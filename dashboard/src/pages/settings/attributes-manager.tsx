// Custom attribute definitions (F-72): a key and its type. Declared types are enforced on
// writes and give the builder the right operators.
import { useState } from 'preact/hooks'
import type { AttrType } from '../../api-types'
import { IconTrash } from '../../components/icons'
import { ErrorState, FormError, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { bump, canEdit, useApi, versions } from '../../session'
import { useCatalog } from '../../use-catalog'
import { useResource } from '../../use-resource'
import { TYPE_LABEL } from '../users/attribute-fields'

export function AttributesManager() {
  const api = useApi()
  const defs = useResource(() => api.attributes(), [api, versions.catalog.value])
  // Keys users hold without a declaration (with the type their values suggest): one click declares them.
  const catalog = useCatalog()
  const undeclared = (catalog.data?.attributes ?? []).filter((a) => !a.declared)
  const [key, setKey] = useState('')
  const [type, setType] = useState<AttrType>('string')
  const [error, setError] = useState<string | null>(null)
  const declare = async (k: string, t: AttrType) => {
    setError(null)
    try {
      await api.createAttribute({ key: k, type: t, constraints: {} })
      bump('catalog')
      toast(`${k} declared as ${TYPE_LABEL[t].toLowerCase()}`)
      return true
    } catch (err) {
      setError((err as Error).message)
      return false
    }
  }
  const add = async (e: Event) => {
    e.preventDefault()
    if (await declare(key.trim(), type)) setKey('')
  }
  // Personalization: jimer.user() sends only the attributes marked readable to the visitor's browser.
  const setReadable = async (k: string, readable: boolean) => {
    setError(null)
    try {
      await api.updateAttribute(k, { readable })
      bump('catalog')
      toast(readable ? `${k} is readable in the browser (jimer.user())` : `${k} stays on the server`)
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const remove = async (k: string) => {
    try {
      await api.deleteAttribute(k)
      bump('catalog')
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <section class="card stack" aria-labelledby="attrs-title">
      <h2 class="section-title" id="attrs-title">Custom attributes</h2>
      <p class="muted small">Declare an attribute to fix its type: values of another type are refused, and the filter builder offers the operators of that type. Mark it readable to let <code>jimer.user()</code> give it to the visitor's own browser (e.g. “Hello {'{firstName}'}”); nothing else ever leaves the server.</p>
      {defs.error ? <ErrorState error={defs.error} retry={defs.reload} /> : !defs.data ? <Loading inline /> : defs.data.attributes.length === 0 ? (
        <p class="muted">None declared yet: attributes take any value{undeclared.length ? ` (${undeclared.length} in use, below)` : ''}.</p>
      ) : (
        <table class="table compact">
          <thead><tr><th>Key</th><th>Type</th><th title="Sent to the visitor's own browser by jimer.user()">Readable in the browser</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {defs.data.attributes.map((a) => (
              <tr key={a.key}>
                <td class="mono">{a.key}</td>
                <td>{TYPE_LABEL[a.type]}</td>
                <td>
                  <label class="readable-toggle">
                    <input type="checkbox" checked={!!a.readable} disabled={!canEdit.value} aria-label={`${a.key} readable in the browser`} onChange={(e) => void setReadable(a.key, e.currentTarget.checked)} />
                    <span class="muted small">{a.readable ? 'jimer.user()' : 'server only'}</span>
                  </label>
                </td>
                <td>{canEdit.value && <button type="button" class="icon-btn trash" aria-label={`Remove the definition of ${a.key}`} onClick={() => void remove(a.key)}><IconTrash /></button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {undeclared.length > 0 && (
        <>
          <h3 class="section-title small" id="attrs-in-use">In use, not declared</h3>
          <table class="table compact" aria-labelledby="attrs-in-use">
            <thead><tr><th>Key</th><th>Values look like</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {undeclared.map((a) => (
                <tr key={a.key}>
                  <td class="mono">{a.key}</td>
                  <td>{TYPE_LABEL[a.type]}</td>
                  <td>{canEdit.value && <button type="button" class="btn btn-secondary btn-sm" aria-label={`Declare ${a.key} as ${TYPE_LABEL[a.type]}`} onClick={() => void declare(a.key, a.type)}>Declare</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {canEdit.value && (
        <form class="inline-form" onSubmit={add}>
          <input class="input" placeholder="key (e.g. plan)" aria-label="Attribute key" maxLength={255} value={key} onInput={(e) => setKey(e.currentTarget.value)} />
          <select class="select" aria-label="Attribute type" value={type} onChange={(e) => setType(e.currentTarget.value as AttrType)}>
            {(Object.keys(TYPE_LABEL) as AttrType[]).map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
          </select>
          <button class="btn btn-secondary" type="submit" disabled={!key.trim()}>Declare</button>
        </form>
      )}
      <FormError error={error} />
    </section>
  )
}
