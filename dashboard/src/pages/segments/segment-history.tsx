// Segment history (issue 16): every saved version — who, when, members right after — with
// what changed from the version before, in words. "Restore" loads a version into the
// editor as a draft: the impact panel then shows what saving it would do.
import type { Segment, SegmentVersion } from '../../api-types'
import { useLoadBuilderData } from '../../components/builder/builder-data'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, Loading } from '../../components/states'
import { treeChanges, type Names } from '../../condition-words'
import { formatDateTime, plural } from '../../format'
import { canEdit, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export function SegmentHistory({ segment, onRestore }: { segment: Segment; onRestore: (v: SegmentVersion) => void }) {
  const api = useApi()
  const list = useResource(() => api.segmentVersions(segment.id), [api, segment.id, versions.segments.value])
  // Tag and segment names, as the builder shows them (ids when one is gone).
  const data = useLoadBuilderData().data
  const names: Names = { tags: new Map((data?.tags ?? []).map((t) => [t.id, t.name])), segments: new Map((data?.segments ?? []).map((s) => [s.id, s.name])) }
  return (
    <section class="card" aria-label="History">
      <h2 class="section-title">History</h2>
      {list.error ? <ErrorState error={list.error} retry={list.reload} /> : !list.data ? <Loading /> : (
        <ol class="history">
          {list.data.versions.map((v, i, all) => (
            <li key={v.id} class="history-item" data-testid="history-item">
              <div class="history-head">
                <strong>{i === 0 ? 'Current' : `Version ${all.length - i}`}</strong>
                <span class="muted small" title={formatDateTime(v.at)}><RelativeTime ms={v.at} /> · {v.actor} · {plural(v.memberCount, 'member')}</span>
                <span class="spacer" />
                {i > 0 && canEdit.value && <button type="button" class="btn btn-secondary btn-sm" onClick={() => onRestore(v)}>Restore</button>}
              </div>
              <ChangeList before={all[i + 1] ?? null} after={v} names={names} />
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}

function ChangeList({ before, after, names }: { before: SegmentVersion | null; after: SegmentVersion; names: Names }) {
  if (!before) return <p class="muted small">Created{after.kind === 'static' ? ' as a manual list' : ''}.</p>
  const lines: { kind: 'added' | 'removed' | 'changed'; text: string }[] = []
  if (before.name !== after.name) lines.push({ kind: 'changed', text: `renamed “${before.name}” → “${after.name}”` })
  if (before.description !== after.description) lines.push({ kind: 'changed', text: 'description changed' })
  if (before.targetable !== after.targetable) lines.push({ kind: 'changed', text: after.targetable ? 'made targetable' : 'no longer targetable' })
  if (before.key !== after.key) lines.push({ kind: 'changed', text: `key ${before.key} → ${after.key}` })
  lines.push(...treeChanges(before.conditions?.root ?? null, after.conditions?.root ?? null, names))
  if (!lines.length) return <p class="muted small">Saved without changes.</p>
  return (
    <ul class="history-changes">
      {lines.map((l, i) => <li key={i} class={l.kind}><span class="change-kind">{l.kind}</span> {l.text}</li>)}
    </ul>
  )
}
