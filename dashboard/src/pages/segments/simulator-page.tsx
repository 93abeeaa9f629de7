// The segment simulator (issue 16): type a made-up profile and see, live, which segments it
// would be in, each with the per-condition explanation. Nothing is saved; the server runs
// the same evaluator as targeting (POST /simulate).
import { useState } from 'preact/hooks'
import type { SimulatedProfile, SimulatedSegment } from '../../api-types'
import { IconCheck, IconChevronLeft, IconX } from '../../components/icons'
import { FormError } from '../../components/states'
import { projectPath } from '../../router'
import { project, useApi, versions } from '../../session'
import { useDebounced, useResource } from '../../use-resource'
import { ExplainTable } from '../profile/explain-tab'
import { ProfileForm, toProfile, type Draft } from './simulator-form'

const EMPTY: Draft = {
  userId: '', email: '', name: '', status: 'active', lastSeenDays: '0', firstSeenDays: '30', sessions: '1',
  attributes: [{ key: 'plan', value: 'pro' }], tags: [], events: [], experiences: [], segments: [],
}

export function SimulatorPage() {
  const api = useApi()
  const [draft, setDraft] = useState<Draft>(EMPTY)
  const made = toProfile(draft)
  const body = useDebounced(JSON.stringify(made.profile), 300)
  const result = useResource(
    () => (made.problem ? Promise.resolve(null) : api.simulate(JSON.parse(body) as SimulatedProfile)),
    [api, body, made.problem, versions.segments.value],
  )
  const segments = result.data?.segments ?? []
  const inCount = segments.filter((s) => s.member).length
  return (
    <div class="page-pad editor">
      <a class="back-link" href={projectPath(project.value!.id, 'segments')}><IconChevronLeft size={14} /> Segments</a>
      <header class="editor-head">
        <h1>Segment simulator</h1>
        <span class="muted">A made-up profile against every segment. Nothing is saved.</span>
      </header>
      <div class="simulator-grid">
        <ProfileForm draft={draft} onChange={setDraft} />
        <section class="card stack" aria-live="polite" aria-busy={result.loading}>
          <h2 class="section-title">
            {result.data ? <span data-testid="simulator-summary">In {inCount} of {segments.length} segments</span> : 'Segments'}
          </h2>
          <FormError error={made.problem ?? result.error?.message} />
          {segments.map((s) => <SegmentResult key={s.id} s={s} />)}
          {result.data && !segments.length && <p class="muted">No segments yet: save one, then try profiles against it here.</p>}
        </section>
      </div>
    </div>
  )
}

function SegmentResult({ s }: { s: SimulatedSegment }) {
  return (
    <details class={s.member ? 'sim-result in' : 'sim-result out'} data-testid="sim-result" open={s.member}>
      <summary>
        <span class={s.member ? 'result pass' : 'result fail'}>{s.member ? <IconCheck size={14} /> : <IconX size={14} />}{s.member ? 'In' : 'Not in'}</span>
        <strong class="sim-name">{s.name}</strong>
        {s.targetable && <span class="badge target">key: {s.key}</span>}
        <span class="muted small">{s.reason}</span>
      </summary>
      {s.explanation ? <ExplainTable group={s.explanation} /> : <p class="muted small">A manual list: tick it under “Static segments” to put the profile on it.</p>}
    </details>
  )
}
