// Segments (F-54): where this user is now, their history of entries and exits (issue 12), and adding / removing them from static
// segments, with a search and "Create it?" when the name is new (seed 002).
import { useState } from 'preact/hooks'
import { IconPlus, IconX } from '../../components/icons'
import { ErrorState, FormError, Loading } from '../../components/states'
import { RelativeTime } from '../../components/relative-time'
import { toast } from '../../components/toast'
import { bump, canEdit, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export function SegmentsTab({ pk }: { pk: number }) {
  const api = useApi()
  const data = useResource(async () => {
    const [m, s, h] = await Promise.all([api.memberships(pk), api.segments(), api.segmentHistory(pk)])
    return { memberships: m.segments, segments: s.segments, history: h.history }
  }, [api, pk, versions.segments.value, versions.users.value])
  const [q, setQ] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (data.error) return <ErrorState error={data.error} retry={data.reload} />
  if (!data.data) return <Loading />
  const { memberships, segments, history } = data.data
  const inIds = new Set(memberships.map((m) => m.id))
  const term = q.trim().toLowerCase()
  const statics = segments.filter((s) => s.kind === 'static' && !inIds.has(s.id) && s.name.toLowerCase().includes(term))
  const exact = segments.some((s) => s.name.toLowerCase() === term)

  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
      bump('segments')
      setQ('')
      toast(done)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const add = (id: number, name: string) => run(() => api.addMembers(id, { ids: [pk] }), `Added to “${name}”`)
  const create = (name: string) => run(async () => {
    const s = await api.createSegment({ name, kind: 'static' })
    await api.addMembers(s.id, { ids: [pk] })
  }, `Created “${name}” with this user`)

  return (
    <div class="stack">
      <section>
        <h3 class="section-title">In {memberships.length} {memberships.length === 1 ? 'segment' : 'segments'}</h3>
        {memberships.length === 0 && <p class="muted">Not in any segment right now.</p>}
        <ul class="member-of">
          {memberships.map((m) => (
            <li key={m.id}>
              <span class="seg-name">{m.name}</span>
              <span class={`badge ${m.kind}`}>{m.kind === 'static' ? 'Manual' : 'Dynamic'}</span>
              <span class="muted small">entered <RelativeTime ms={m.enteredAt} /></span>
              <span class="spacer" />
              {m.kind === 'static' && canEdit.value && (
                <button type="button" class="btn btn-ghost btn-sm" disabled={busy} onClick={() => void run(() => api.removeMember(m.id, pk), `Removed from “${m.name}”`)}>
                  <IconX size={14} /> Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3 class="section-title">History</h3>
        {history.length === 0 && <p class="muted">No entries or exits yet.</p>}
        <ul class="history" aria-label="Segment history">
          {history.map((h) => (
            <li key={h.id}>
              <span class={`badge ${h.entered ? 'entered' : 'left'}`}>{h.entered ? 'Entered' : 'Left'}</span>
              <span class="seg-name">{h.segment.name}</span>
              <span class="spacer" />
              <span class="muted small">{h.cause}</span>
              <span class="muted small"><RelativeTime ms={h.at} /></span>
            </li>
          ))}
        </ul>
      </section>
      {canEdit.value && (
        <section>
          <h3 class="section-title">Add to a static segment</h3>
          <input class="input full" placeholder="Search static segments" aria-label="Search static segments" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          <FormError error={error} />
          <ul class="pick-list">
            {statics.map((s) => (
              <li key={s.id}>
                <button type="button" class="menu-item" disabled={busy} onClick={() => void add(s.id, s.name)}>
                  <IconPlus size={14} /> {s.name} <span class="muted small">{s.memberCount} members</span>
                </button>
              </li>
            ))}
          </ul>
          {term && !exact && (
            <p class="create-it">
              No segment named “{q.trim()}”. <button type="button" class="btn btn-link" disabled={busy} onClick={() => void create(q.trim())}>Create it?</button>
            </p>
          )}
          {!term && !statics.length && <p class="muted small">No static segment to add to: type a name to create one.</p>}
        </section>
      )}
    </div>
  )
}
