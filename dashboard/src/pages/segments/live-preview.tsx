// The live count while a segment is edited (F-51): asks the server (debounced) how many
// active users match the conditions as they stand, with a few of them.
import { Avatar } from '../../components/avatar'
import { RelativeTime } from '../../components/relative-time'
import { leafCount, type Group } from '../../condition-model'
import { displayName, formatNumber } from '../../format'
import { useApi, versions } from '../../session'
import { useDebounced, useResource } from '../../use-resource'

export function LivePreview({ root, problem }: { root: Group; problem: string | null; selfId?: number }) {
  const api = useApi()
  const ready = !problem && leafCount(root) > 0
  const body = useDebounced(ready ? JSON.stringify(root) : '', 400)
  const preview = useResource(
    () => (body ? api.preview({ version: 1, root: JSON.parse(body) as Group }) : Promise.resolve(null)),
    [api, body, versions.users.value],
  )
  const stale = (ready ? JSON.stringify(root) : '') !== body || preview.loading
  return (
    <section class="card preview" aria-live="polite" aria-busy={stale}>
      <h2 class="section-title">Preview</h2>
      {!ready ? (
        <p class="muted">{problem ?? 'Add a condition to see who matches.'}</p>
      ) : preview.error ? (
        <p class="form-error" role="alert">{preview.error.message}</p>
      ) : !preview.data ? (
        <p class="muted">Counting…</p>
      ) : (
        <>
          <p class={stale ? 'preview-count stale' : 'preview-count'}>
            <strong data-testid="preview-count">{formatNumber(preview.data.count)}</strong> {preview.data.count === 1 ? 'user matches' : 'users match'}
          </p>
          <ul class="preview-sample">
            {preview.data.sample.map((u) => (
              <li key={u.id}>
                <Avatar id={String(u.id)} name={u.name} size={22} />
                <span class="ellipsis">{displayName(u)}</span>
                <span class="muted small"><RelativeTime ms={u.lastSeen} /></span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
