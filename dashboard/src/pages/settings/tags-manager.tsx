// Tags (F-40): rename, recolour, delete; how many users carry each.
import { useState } from 'preact/hooks'
import type { Tag } from '../../api-types'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { IconTrash } from '../../components/icons'
import { ErrorState, FormError, Loading } from '../../components/states'
import { TagPill } from '../../components/tag-pill'
import { bump, canEdit, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

const COLORS = ['#e11d48', '#7c3aed', '#0284c7', '#16a34a', '#f59e0b', '#db2777', '#0d9488', '#4f46e5', '#64748b']

export function TagsManager() {
  const api = useApi()
  const tags = useResource(() => api.tags(), [api, versions.tags.value])
  const [deleting, setDeleting] = useState<Tag | null>(null)
  const [error, setError] = useState<string | null>(null)
  const update = async (t: Tag, body: { name?: string; color?: string }) => {
    setError(null)
    try {
      await api.updateTag(t.id, body)
      bump('tags', 'users')
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <section class="card stack" aria-labelledby="tags-title">
      <h2 class="section-title" id="tags-title">Tags</h2>
      {tags.error ? <ErrorState error={tags.error} retry={tags.reload} /> : !tags.data ? <Loading inline /> : tags.data.tags.length === 0 ? (
        <p class="muted">No tags yet. Tag a user from the list or their profile (“Search or create a tag…”).</p>
      ) : (
        <table class="table compact">
          <thead><tr><th>Tag</th><th>Name</th><th>Colour</th><th class="num">Users</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {tags.data.tags.map((t) => (
              <tr key={t.id}>
                <td><TagPill tag={t} /></td>
                <td>
                  <input class="input" aria-label={`Rename ${t.name}`} defaultValue={t.name} disabled={!canEdit.value} maxLength={100}
                    onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
                    onBlur={(e) => { const v = e.currentTarget.value.trim(); if (v && v !== t.name) void update(t, { name: v }) }} />
                </td>
                <td>
                  <div class="swatches" role="radiogroup" aria-label={`Colour of ${t.name}`}>
                    {COLORS.map((c) => (
                      <button key={c} type="button" role="radio" aria-checked={c === t.color} aria-label={c} class={c === t.color ? 'swatch on' : 'swatch'} style={{ background: c }} disabled={!canEdit.value} onClick={() => void update(t, { color: c })} />
                    ))}
                  </div>
                </td>
                <td class="num">{t.users ?? 0}</td>
                <td>{canEdit.value && <button type="button" class="icon-btn trash" aria-label={`Delete tag ${t.name}`} onClick={() => setDeleting(t)}><IconTrash /></button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormError error={error} />
      {deleting && (
        <ConfirmDialog title={`Delete the tag “${deleting.name}”?`} confirmLabel="Delete tag" danger onClose={() => setDeleting(null)}
          onConfirm={async () => { await api.deleteTag(deleting.id); bump('tags', 'users') }}>
          <p>It comes off the {deleting.users ?? 0} users who carry it. Segments with a Tags condition on it stop matching on it.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
