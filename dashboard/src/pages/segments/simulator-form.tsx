// The simulator's profile form: native fields, attributes, tags, events with counts and
// properties, experiences and static lists, kept as the text a person typed (Draft) and
// read into the API's profile by toProfile, which says what is not readable yet.
import type { SimulatedProfile } from '../../api-types'
import { IconPlus, IconX } from '../../components/icons'
import { useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export interface Draft {
  userId: string; email: string; name: string; status: 'active' | 'disabled'
  lastSeenDays: string; firstSeenDays: string; sessions: string
  attributes: { key: string; value: string }[]
  tags: number[]
  events: { name: string; count: string; daysAgo: string; properties: string }[]
  experiences: { experience: string; action: 'seen' | 'completed' | 'dismissed' | 'answered'; answer: string }[]
  segments: number[]
}

/** An attribute as typed: numbers, true/false and JSON lists are read as such, anything else is text. */
export function typedValue(text: string): unknown {
  const t = text.trim()
  if (t === 'true' || t === 'false') return t === 'true'
  if (t !== '' && Number.isFinite(Number(t))) return Number(t)
  if (t.startsWith('[')) {
    try { return JSON.parse(t) } catch { /* text, then */ }
  }
  return text
}

const days = (s: string) => (s.trim() === '' ? undefined : { daysAgo: Number(s) })

export function toProfile(d: Draft): { profile: SimulatedProfile; problem: string | null } {
  let problem: string | null = null
  const events = d.events.filter((e) => e.name.trim()).map((e) => {
    let properties: Record<string, unknown> = {}
    if (e.properties.trim()) {
      try { properties = JSON.parse(e.properties) } catch { problem ??= `${e.name}: properties must be JSON, e.g. {"total": 30}` }
    }
    return { name: e.name.trim(), count: Math.max(1, Math.floor(Number(e.count) || 1)), ...(days(e.daysAgo) ? { at: days(e.daysAgo) } : {}), properties }
  })
  const profile: SimulatedProfile = {
    userId: d.userId.trim() || null, email: d.email.trim() || null, name: d.name.trim() || null, status: d.status,
    lastSeen: days(d.lastSeenDays), firstSeen: days(d.firstSeenDays), sessions: Math.max(0, Math.floor(Number(d.sessions) || 0)),
    attributes: Object.fromEntries(d.attributes.filter((a) => a.key.trim()).map((a) => [a.key.trim(), typedValue(a.value)])),
    tags: d.tags, events,
    experiences: d.experiences.filter((x) => x.experience.trim()).map((x) => ({ experience: x.experience.trim(), action: x.action, ...(x.action === 'answered' && x.answer ? { answer: x.answer } : {}) })),
    segments: d.segments,
  }
  return { profile, problem }
}

export function ProfileForm({ draft: d, onChange }: { draft: Draft; onChange: (d: Draft) => void }) {
  const api = useApi()
  const tags = useResource(() => api.tags(), [api, versions.tags.value])
  const segs = useResource(() => api.segments(), [api, versions.segments.value])
  const set = (patch: Partial<Draft>) => onChange({ ...d, ...patch })
  const field = (label: string, k: 'userId' | 'email' | 'name' | 'lastSeenDays' | 'firstSeenDays' | 'sessions', type = 'text') => (
    <label class="field"><span>{label}</span><input class="input" type={type} value={d[k]} onInput={(e) => set({ [k]: e.currentTarget.value })} /></label>
  )
  const rows = <K extends 'attributes' | 'events' | 'experiences'>(k: K, i: number, patch: Partial<Draft[K][number]>) =>
    set({ [k]: d[k].map((r, j) => (j === i ? { ...r, ...patch } : r)) } as Partial<Draft>)
  const drop = (k: 'attributes' | 'events' | 'experiences', i: number) => set({ [k]: d[k].filter((_, j) => j !== i) } as Partial<Draft>)
  const toggle = (list: number[], id: number) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id])
  const remove = (label: string, onClick: () => void) => <button type="button" class="icon-btn" aria-label={label} onClick={onClick}><IconX size={14} /></button>
  return (
    <section class="card stack simulator-form" aria-label="Made-up profile">
      <h2 class="section-title">Profile</h2>
      <div class="sim-fields">
        {field('User id', 'userId')}{field('Email', 'email')}{field('Name', 'name')}
        <label class="field"><span>Status</span>
          <select class="select" value={d.status} onChange={(e) => set({ status: e.currentTarget.value as Draft['status'] })}><option value="active">active</option><option value="disabled">disabled</option></select>
        </label>
        {field('Last activity (days ago)', 'lastSeenDays', 'number')}{field('First seen (days ago)', 'firstSeenDays', 'number')}{field('Sessions', 'sessions', 'number')}
      </div>
      <fieldset class="sim-set"><legend>Attributes</legend>
        {d.attributes.map((a, i) => (
          <div class="sim-row" key={i}>
            <input class="input mono" aria-label={`Attribute ${i + 1} key`} placeholder="key" value={a.key} onInput={(e) => rows('attributes', i, { key: e.currentTarget.value })} />
            <input class="input" aria-label={`Attribute ${i + 1} value`} placeholder='value: text, 12, true, ["a"]' value={a.value} onInput={(e) => rows('attributes', i, { value: e.currentTarget.value })} />
            {remove(`Remove attribute ${i + 1}`, () => drop('attributes', i))}
          </div>
        ))}
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => set({ attributes: [...d.attributes, { key: '', value: '' }] })}><IconPlus size={13} /> Add attribute</button>
      </fieldset>
      <fieldset class="sim-set"><legend>Events</legend>
        {d.events.map((e, i) => (
          <div class="sim-row events" key={i}>
            <input class="input mono" aria-label={`Event ${i + 1} name`} placeholder="event name" value={e.name} onInput={(x) => rows('events', i, { name: x.currentTarget.value })} />
            <input class="input" type="number" min={1} aria-label={`Event ${i + 1} count`} title="how many times" value={e.count} onInput={(x) => rows('events', i, { count: x.currentTarget.value })} />
            <input class="input" type="number" min={0} aria-label={`Event ${i + 1} days ago`} title="days ago" placeholder="days ago" value={e.daysAgo} onInput={(x) => rows('events', i, { daysAgo: x.currentTarget.value })} />
            <input class="input mono" aria-label={`Event ${i + 1} properties`} placeholder='{"total": 30}' value={e.properties} onInput={(x) => rows('events', i, { properties: x.currentTarget.value })} />
            {remove(`Remove event ${i + 1}`, () => drop('events', i))}
          </div>
        ))}
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => set({ events: [...d.events, { name: '', count: '1', daysAgo: '0', properties: '' }] })}><IconPlus size={13} /> Add event</button>
      </fieldset>
      <fieldset class="sim-set"><legend>Experiences</legend>
        {d.experiences.map((x, i) => (
          <div class="sim-row" key={i}>
            <input class="input mono" aria-label={`Experience ${i + 1}`} placeholder="experience id" value={x.experience} onInput={(e) => rows('experiences', i, { experience: e.currentTarget.value })} />
            <select class="select" aria-label={`Experience ${i + 1} action`} value={x.action} onChange={(e) => rows('experiences', i, { action: e.currentTarget.value as Draft['experiences'][number]['action'] })}>
              {['seen', 'completed', 'dismissed', 'answered'].map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
            {x.action === 'answered' && <input class="input" aria-label={`Experience ${i + 1} answer`} placeholder="answer" value={x.answer} onInput={(e) => rows('experiences', i, { answer: e.currentTarget.value })} />}
            {remove(`Remove experience ${i + 1}`, () => drop('experiences', i))}
          </div>
        ))}
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => set({ experiences: [...d.experiences, { experience: '', action: 'seen', answer: '' }] })}><IconPlus size={13} /> Add experience</button>
      </fieldset>
      <fieldset class="sim-set"><legend>Tags</legend>
        <div class="chips">{(tags.data?.tags ?? []).map((t) => (
          <label class="chip" key={t.id}><input type="checkbox" checked={d.tags.includes(t.id)} onChange={() => set({ tags: toggle(d.tags, t.id) })} /> {t.name}</label>
        ))}{tags.data && !tags.data.tags.length && <span class="muted small">No tags in this project.</span>}</div>
      </fieldset>
      <fieldset class="sim-set"><legend>Static segments</legend>
        <div class="chips">{(segs.data?.segments ?? []).filter((s) => s.kind === 'static').map((s) => (
          <label class="chip" key={s.id}><input type="checkbox" checked={d.segments.includes(s.id)} onChange={() => set({ segments: toggle(d.segments, s.id) })} /> {s.name}</label>
        ))}{segs.data && !segs.data.segments.some((s) => s.kind === 'static') && <span class="muted small">No manual segments.</span>}</div>
      </fieldset>
    </section>
  )
}
