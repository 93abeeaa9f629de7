// A segment's members (F-50, F-54): who is in it and since when; for a manual segment,
// add users by user id or email and remove them.
import { useState } from 'preact/hooks'
import type { MemberRow, Segment } from '../../api-types'
import { Avatar } from '../../components/avatar'
import { IconX } from '../../components/icons'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, FormError, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { displayName, formatNumber } from '../../format'
import { projectPath } from '../../router'
import { canEdit, project, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export function SegmentMembers({ segment, onChanged }: { segment: Segment; onChanged: () => void }) {
  const api = useApi()
  const pid = project.value!.id
  const [more, setMore] = useState<MemberRow[]>([])
  const [cursor, setCursor] = useState<number | null>(null)
  const first = useResource(async () => {
    const r = await api.members(segment.id)
    setMore([])
    setCursor(r.next)
    return r
  }, [api, segment.id, versions.segments.value])
  const [ids, setIds] = useState('')
  const [error, setError] = useState<string | null>(null)
  const manual = segment.kind === 'static' && canEdit.value

  const add = async (e: Event) => {
    e.preventDefault()
    const list = ids.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean)
    if (!list.length) return
    setError(null)
    try {
      const r = await api.addMembers(segment.id, { userIds: list.filter((x) => !x.includes('@')), emails: list.filter((x) => x.includes('@')) })
      toast(`${r.added} ${r.added === 1 ? 'member' : 'members'} added${r.notFound.length ? `; not found: ${r.notFound.join(', ')}` : ''}`, r.notFound.length ? 'error' : 'ok')
      setIds('')
      onChanged()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const remove = async (m: MemberRow) => {
    try {
      await api.removeMember(segment.id, m.id)
      onChanged()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const loadMore = async () => {
    if (cursor === null) return
    const r = await api.members(segment.id, cursor)
    setMore([...more, ...r.members])
    setCursor(r.next)
  }

  return (
    <section class="card">
      <div class="section-head">
        <h2 class="section-title">Members <span class="muted">{formatNumber(segment.memberCount)}</span></h2>
        {segment.computedAt && <span class="muted small">computed <RelativeTime ms={segment.computedAt} /></span>}
      </div>
      {manual && <p class="muted small">A manual segment is the list you keep: add users here or from a profile's Segments tab.</p>}
      {manual && (
        <form class="inline-form members-add" onSubmit={add}>
          <input class="input" placeholder="User ids or emails, separated by commas" aria-label="User ids or emails to add" value={ids} onInput={(e) => setIds(e.currentTarget.value)} />
          <button class="btn btn-secondary" type="submit" disabled={!ids.trim()}>Add</button>
        </form>
      )}
      <FormError error={error} />
      {first.error ? (
        <ErrorState error={first.error} retry={first.reload} />
      ) : !first.data ? (
        <Loading inline />
      ) : first.data.members.length === 0 ? (
        <p class="muted">No members yet.</p>
      ) : (
        <>
          <ul class="members">
            {[...first.data.members, ...more].map((m) => (
              <li key={m.id}>
                <Avatar id={String(m.id)} name={m.name} size={24} />
                <a href={`${projectPath(pid, 'users')}?user=${m.id}`} class="ellipsis">{displayName(m)}</a>
                <span class="muted small ellipsis">{m.email ?? ''}</span>
                <span class="spacer" />
                <span class="muted small">entered <RelativeTime ms={m.enteredAt} /></span>
                {manual && <button type="button" class="icon-btn" aria-label={`Remove ${displayName(m)}`} onClick={() => void remove(m)}><IconX size={14} /></button>}
              </li>
            ))}
          </ul>
          {cursor !== null && <button type="button" class="btn btn-secondary btn-sm" onClick={() => void loadMore()}>Show more</button>}
        </>
      )}
    </section>
  )
}
