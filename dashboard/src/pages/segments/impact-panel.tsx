// Edit impact (issue 16): while a saved dynamic segment is edited, what saving would do —
// "+N will enter, −M will leave", a few of each (each opens the profile), the segments that
// compose this one with their own change, and whether it is live on sites.
import type { Impact, ImpactUser } from '../../api-types'
import { prune, leafCount, type ConditionTree, type Group } from '../../condition-model'
import { displayName, formatNumber } from '../../format'
import { projectPath } from '../../router'
import { project, useApi, versions } from '../../session'
import { useDebounced, useResource } from '../../use-resource'

export function ImpactPanel({ segmentId, root, saved, problem }: { segmentId: number; root: Group; saved: ConditionTree | null; problem: string | null }) {
  const api = useApi()
  const changed = JSON.stringify(root) !== JSON.stringify(saved ? prune(saved.root) : null)
  const ready = changed && !problem && leafCount(root) > 0
  const body = useDebounced(ready ? JSON.stringify(root) : '', 400)
  const r = useResource(
    () => (body ? api.impact(segmentId, { version: 1, root: JSON.parse(body) as Group }) : Promise.resolve(null)),
    [api, segmentId, body, versions.users.value, versions.segments.value],
  )
  if (!changed) return null
  const stale = (ready ? JSON.stringify(root) : '') !== body || r.loading
  return (
    <section class="card impact" aria-live="polite" aria-busy={stale} aria-label="If you save">
      <h2 class="section-title">If you save</h2>
      {!ready ? (
        <p class="muted">{problem ?? 'Add a condition to see what saving would change.'}</p>
      ) : r.error ? (
        <p class="form-error" role="alert">{r.error.message}</p>
      ) : !r.data ? (
        <p class="muted">Counting…</p>
      ) : (
        <div class={stale ? 'stack stale' : 'stack'}>
          <p class="impact-line" data-testid="impact-line">
            <span class="impact-in">+{formatNumber(r.data.entering)} will enter</span>, <span class="impact-out">−{formatNumber(r.data.leaving)} will leave</span>
          </p>
          {r.data.targetable && <p class="warn small">Targetable: sites see the change as soon as you save.</p>}
          <Sample title="Entering" users={r.data.enteringSample} total={r.data.entering} />
          <Sample title="Leaving" users={r.data.leavingSample} total={r.data.leaving} />
          {r.data.composers.length > 0 && <Composers impact={r.data} />}
        </div>
      )}
    </section>
  )
}

function Sample({ title, users, total }: { title: string; users: ImpactUser[]; total: number }) {
  if (!users.length) return null
  const pid = project.value!.id
  return (
    <div>
      <h3 class="mini-title">{title}{total > users.length ? ` (${users.length} of ${formatNumber(total)})` : ''}</h3>
      <ul class="impact-sample">
        {users.map((u) => (
          <li key={u.id}><a href={`${projectPath(pid, 'users')}?user=${u.id}`} target="_blank" rel="noopener" title="Open the profile in a new tab (the draft stays here)">{displayName(u)}</a></li>
        ))}
      </ul>
    </div>
  )
}

function Composers({ impact }: { impact: Impact }) {
  return (
    <div>
      <h3 class="mini-title">Segments built on this one</h3>
      <ul class="impact-composers">
        {impact.composers.map((c) => (
          <li key={c.id}>
            <span class="ellipsis">{c.name}</span>
            <span class="impact-in">+{formatNumber(c.entering)}</span> <span class="impact-out">−{formatNumber(c.leaving)}</span>
            {c.targetable && <span class="badge target">live</span>}
          </li>
        ))}
      </ul>
    </div>
  )
}
