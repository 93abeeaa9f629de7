// "Search or create a tag…" (F-40): from a list row and from the profile header.
import type { ComponentChildren } from 'preact'
import { useRef, useState } from 'preact/hooks'
import type { Tag } from '../api-types'
import { bump, useApi, versions } from '../session'
import { useResource } from '../use-resource'
import { IconCheck, IconPlus } from './icons'
import { Popover } from './popover'
import { FormError, Loading } from './states'
import { TagPill } from './tag-pill'

interface Props {
  /** The tags the user has now. */
  current: Tag[]
  /** Called with the tag the server applied (existing or just created). */
  onChange: () => void
  userPk: number
  label: ComponentChildren
  buttonClass?: string
  ariaLabel?: string
  align?: 'left' | 'right'
}

export function TagPicker(props: Props) {
  return (
    <Popover label={props.label} buttonClass={props.buttonClass} ariaLabel={props.ariaLabel} align={props.align}>
      {(close) => <TagSearch {...props} close={close} />}
    </Popover>
  )
}

function TagSearch(props: Props & { close: () => void }) {
  const api = useApi()
  const tags = useResource(() => api.tags(), [api, versions.tags.value])
  const [q, setQ] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // What the last pick did, said in words: a click on a tag the user has removes it.
  const [status, setStatus] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const has = new Set(props.current.map((t) => t.id))
  const term = q.trim().toLowerCase()
  const matches = (tags.data?.tags ?? []).filter((t) => t.name.toLowerCase().includes(term))
  const exact = matches.some((t) => t.name.toLowerCase() === term)

  const apply = async (body: { tagId: number } | { name: string }, label: string, removeId?: number) => {
    setBusy(true)
    setError(null)
    let closing = false
    try {
      if (removeId !== undefined) await api.untagUser(props.userPk, removeId)
      else await api.tagUser(props.userPk, body)
      if ('name' in body) bump('tags')
      props.onChange()
      setQ('')
      setStatus(removeId !== undefined ? `Removed “${label}”` : `Added “${label}”`)
      if ('name' in body) {
        closing = true
        props.close()
      }
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
      // The picked option may re-render away: the search field keeps the keyboard in the picker.
      if (!closing) input.current?.focus()
    }
  }

  return (
    <div class="tag-search" role="dialog" aria-label="Tag user">
      <input
        ref={input}
        class="input"
        placeholder="Search or create a tag…"
        aria-label="Search or create a tag"
        value={q}
        maxLength={100}
        onInput={(e) => setQ(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter' || !term || busy) return
          e.preventDefault()
          const hit = matches.find((t) => t.name.toLowerCase() === term)
          if (!hit) void apply({ name: q.trim() }, q.trim())
          else if (!has.has(hit.id)) void apply({ tagId: hit.id }, hit.name)
        }}
      />
      <FormError error={error} />
      <p class="muted small tag-status" role="status">{status}</p>
      {tags.loading && !tags.data ? (
        <Loading inline label="Loading tags…" />
      ) : tags.error ? (
        <FormError error={tags.error.message} />
      ) : (
        <div class="tag-options" role="listbox" aria-label="Tags">
          {matches.map((t) => (
            <button
              key={t.id}
              type="button"
              role="option"
              aria-selected={has.has(t.id)}
              class="tag-option"
              disabled={busy}
              title={has.has(t.id) ? `Remove “${t.name}” from this user` : `Add “${t.name}”`}
              onClick={() => void apply({ tagId: t.id }, t.name, has.has(t.id) ? t.id : undefined)}
            >
              <TagPill tag={t} />
              {has.has(t.id) && <span class="tag-check"><IconCheck /> <span class="tag-remove">Remove</span></span>}
            </button>
          ))}
          {term && !exact && (
            <button type="button" role="option" aria-selected={false} class="tag-option create" disabled={busy} onClick={() => void apply({ name: q.trim() }, q.trim())}>
              <IconPlus /> Create “{q.trim()}”
            </button>
          )}
          {!matches.length && !term && <p class="muted small">No tags yet: type a name to create one.</p>}
        </div>
      )}
    </div>
  )
}
