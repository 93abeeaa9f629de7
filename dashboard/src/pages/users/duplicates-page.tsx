// Duplicates (issue 16): identified profiles that are likely one person — the same email
// once normalised, or a user id that is another profile's alias — with the profile to keep
// chosen per group, a merge that keeps every row it changes, and Undo for 30 days.
import { useState } from 'preact/hooks'
import type { DuplicateGroup, MergeRecord } from '../../api-types'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { IconChevronLeft } from '../../components/icons'
import { RelativeTime } from '../../components/relative-time'
import { Empty, ErrorState, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { displayName, formatNumber } from '../../format'
import { projectPath } from '../../router'
import { bump, canEdit, project, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export function DuplicatesPage() {
  const api = useApi()
  const pid = project.value!.id
  const groups = useResource(() => api.duplicates(), [api, versions.users.value])
  const merges = useResource(() => api.merges(), [api, versions.users.value])
  return (
    <div class="page-pad">
      <a class="back-link" href={projectPath(pid, 'users')}><IconChevronLeft size={14} /> Users</a>
      <header class="editor-head">
        <h1>Duplicates</h1>
        <span class="muted">Profiles with the same email (spaces, letter case and a +tag ignored) or the same user id through an alias.</span>
      </header>
      <div class="stack">
        {groups.error ? <ErrorState error={groups.error} retry={groups.reload} /> : !groups.data ? <Loading label="Looking for duplicates…" /> : groups.data.groups.length === 0 ? (
          <Empty title="No duplicates found">Every identified profile has its own email and user id.</Empty>
        ) : groups.data.groups.map((g) => <Group key={g.users.map((u) => u.id).join('-')} group={g} />)}
        <RecentMerges merges={merges.data?.merges ?? null} error={merges.error} />
      </div>
    </div>
  )
}

function Group({ group }: { group: DuplicateGroup }) {
  const api = useApi()
  const pid = project.value!.id
  const [keep, setKeep] = useState(group.users[0].id)
  const [confirming, setConfirming] = useState(false)
  const kept = group.users.find((u) => u.id === keep)!
  const others = group.users.filter((u) => u.id !== keep)
  const merge = async () => {
    for (const u of others) await api.mergeUsers(keep, u.id)
    bump('users', 'segments')
    toast(`Merged ${others.length === 1 ? displayName(others[0]) : `${others.length} profiles`} into ${displayName(kept)}: undo it below for 30 days`)
  }
  return (
    <section class="card stack dup-group" aria-label={`Duplicates: ${group.reasons.join(', ')}`} data-testid="duplicate-group">
      <div class="dup-head">
        {group.reasons.map((r) => <span key={r} class="badge">{r}</span>)}
        <span class="spacer" />
        {canEdit.value && <button type="button" class="btn btn-primary btn-sm" onClick={() => setConfirming(true)}>Merge into {displayName(kept)}</button>}
      </div>
      <table class="table compact">
        <thead><tr><th>Keep</th><th>Profile</th><th>Email</th><th>User id</th><th>First seen</th><th>Last activity</th><th class="num">Events</th></tr></thead>
        <tbody>
          {group.users.map((u) => (
            <tr key={u.id}>
              <td><input type="radio" name={`keep-${group.users[0].id}`} aria-label={`Keep ${displayName(u)} (${u.userId ?? u.email ?? u.id})`} checked={u.id === keep} disabled={!canEdit.value} onChange={() => setKeep(u.id)} /></td>
              <td><a href={`${projectPath(pid, 'users')}?user=${u.id}`}>{displayName(u)}</a></td>
              <td class="ellipsis">{u.email ?? <span class="muted">—</span>}</td>
              <td class="mono ellipsis">{u.userId ?? <span class="muted">—</span>}</td>
              <td><RelativeTime ms={u.firstSeen || null} /></td>
              <td><RelativeTime ms={u.lastSeen || null} /></td>
              <td class="num">{formatNumber(u.eventsCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirming && (
        <ConfirmDialog title={`Merge into “${displayName(kept)}”?`} confirmLabel="Merge" onClose={() => setConfirming(false)} onConfirm={merge}>
          <p>{others.map((u) => `“${displayName(u)}”`).join(', ')} {others.length === 1 ? 'folds' : 'fold'} into this profile: earliest first seen, latest activity, sessions and counts added up, the newer value of each attribute, and every tag, device, event and interaction together. Segments are recomputed.</p>
          <p class="muted small">Undo puts both profiles back exactly as they are now, for 30 days.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}

function RecentMerges({ merges, error }: { merges: MergeRecord[] | null; error: Error | null }) {
  const api = useApi()
  if (error) return <ErrorState error={error} />
  if (!merges?.length) return null
  const undo = async (m: MergeRecord) => {
    try {
      await api.undoMerge(m.id)
      bump('users', 'segments')
      toast(`Undone: ${displayName(m.merged)} is a profile of its own again`)
    } catch (e) {
      toast((e as Error).message, 'error')
    }
  }
  return (
    <section class="card" aria-label="Recent merges">
      <h2 class="section-title">Recent merges</h2>
      <ul class="merge-list">
        {merges.map((m) => (
          <li key={m.id} data-testid="merge-record">
            <span><strong>{displayName(m.merged)}</strong> into <strong>{displayName(m.kept)}</strong></span>
            <span class="muted small"><RelativeTime ms={m.at} /> · {m.actor}</span>
            <span class="spacer" />
            {m.undoneAt !== null ? <span class="muted small">undone <RelativeTime ms={m.undoneAt} /></span>
              : Date.now() > m.undoableUntil ? <span class="muted small">too old to undo</span>
              : canEdit.value && <button type="button" class="btn btn-secondary btn-sm" onClick={() => void undo(m)}>Undo</button>}
          </li>
        ))}
      </ul>
    </section>
  )
}
