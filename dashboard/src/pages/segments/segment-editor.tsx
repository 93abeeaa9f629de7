// Create or edit a segment (F-51, F-53, F-54): the same builder as the Users filter, a
// live count while editing, the targetable switch and key, and the member list.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Segment, SegmentVersion } from '../../api-types'
import { ConditionBuilder } from '../../components/builder/builder'
import { IconChevronLeft } from '../../components/icons'
import { Segmented, Switch } from '../../components/segmented'
import { ErrorState, FormError, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { emptyTree, prune, treeProblem, type Group } from '../../condition-model'
import { guardUnsaved, navigate, projectPath } from '../../router'
import { bump, canEdit, project, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'
import { DeleteSegment } from './segments-page'
import { ImpactPanel } from './impact-panel'
import { LivePreview } from './live-preview'
import { SegmentLedger } from './segment-ledger'
import { SegmentHistory } from './segment-history'
import { SegmentMembers } from './segment-members'

export function SegmentEditorPage({ segmentId }: { segmentId: number | 'new' }) {
  const api = useApi()
  const seg = useResource(() => (segmentId === 'new' ? Promise.resolve(null) : api.segment(segmentId)), [api, segmentId, versions.segments.value])
  if (seg.error) return <div class="page-pad"><BackLink /><ErrorState error={seg.error} retry={seg.reload} title="Could not load this segment" /></div>
  if (seg.data === undefined) return <div class="page-pad"><Loading label="Loading segment…" /></div>
  return <Editor segment={seg.data} onSaved={seg.set} />
}

function BackLink() {
  return <a class="back-link" href={projectPath(project.value!.id, 'segments')}><IconChevronLeft size={14} /> Segments</a>
}

const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48)

function Editor({ segment, onSaved }: { segment: Segment | null; onSaved: (s: Segment) => void }) {
  const api = useApi()
  const pid = project.value!.id
  const ro = !canEdit.value
  const [name, setName] = useState(segment?.name ?? '')
  const [description, setDescription] = useState(segment?.description ?? '')
  const [kind, setKind] = useState<'dynamic' | 'static'>(segment?.kind ?? 'dynamic')
  const [root, setRoot] = useState<Group>(segment?.conditions?.root ?? emptyTree().root)
  const [targetable, setTargetable] = useState(segment?.targetable ?? false)
  const [key, setKey] = useState(segment?.key ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState(false)
  const pruned = prune(root)
  const problem = kind === 'dynamic' ? treeProblem(pruned) : null
  // What is on screen, against what was last loaded or saved: leaving with a difference asks first.
  const snapshot = JSON.stringify([name, description, kind, kind === 'dynamic' ? pruned : null, targetable, key.trim()])
  const [baseline, setBaseline] = useState(() => JSON.stringify([segment?.name ?? '', segment?.description ?? '', segment?.kind ?? 'dynamic',
    (segment?.kind ?? 'dynamic') === 'dynamic' ? prune(segment?.conditions?.root ?? emptyTree().root) : null, segment?.targetable ?? false, segment?.key ?? '']))
  const dirty = !ro && snapshot !== baseline
  // Read at the moment of leaving, not from the last effect: right after a save re-renders
  // clean, the effect has not run yet, and its stale closure would still say "unsaved".
  const dirtyNow = useRef(dirty)
  dirtyNow.current = dirty
  useEffect(() => guardUnsaved(() => dirtyNow.current), [])

  const save = async (e: Event) => {
    e.preventDefault()
    if (problem) return setError(problem)
    setBusy(true)
    setError(null)
    try {
      const body = {
        name: name.trim(), description, targetable,
        ...(kind === 'dynamic' ? { conditions: { version: 1 as const, root: pruned } } : {}),
        ...(key.trim() ? { key: key.trim() } : {}),
      }
      const saved = segment ? await api.updateSegment(segment.id, body) : await api.createSegment({ ...body, kind })
      bump('segments')
      toast(`“${saved.name}” saved: ${saved.memberCount} ${saved.memberCount === 1 ? 'member' : 'members'}`)
      setKey(saved.key)
      setBaseline(JSON.stringify([name, description, kind, kind === 'dynamic' ? pruned : null, targetable, saved.key]))
      if (segment) onSaved(saved)
      else navigate(projectPath(pid, `segments/${saved.id}`), { replace: true, force: true })
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  // A version loads as a draft: nothing is saved until Save, and the impact panel shows what that would do.
  const restore = (v: SegmentVersion) => {
    setName(v.name)
    setDescription(v.description)
    if (v.conditions) setRoot(v.conditions.root)
    setTargetable(v.targetable)
    setKey(v.key)
    setError(null)
    toast('Version loaded into the editor: save to restore it')
  }

  const duplicate = async () => {
    try {
      const copy = await api.duplicateSegment(segment!.id)
      bump('segments')
      toast(`Duplicated as “${copy.name}”`)
      navigate(projectPath(pid, `segments/${copy.id}`), { force: true })
    } catch (err) {
      setError((err as Error).message)
    }
  }

  return (
    <div class="page-pad editor">
      <BackLink />
      <form onSubmit={save} class="editor-form">
        <header class="editor-head">
          <h1>{segment ? segment.name : 'New segment'}</h1>
          <span class="spacer" />
          {segment && canEdit.value && <button type="button" class="btn btn-secondary" onClick={duplicate}>Duplicate</button>}
          {segment && canEdit.value && <button type="button" class="btn btn-danger-ghost" onClick={() => setDeleting(true)}>Delete</button>}
          {canEdit.value && <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()}>{busy ? 'Saving…' : segment ? 'Save changes' : 'Create segment'}</button>}
        </header>
        <FormError error={error} />
        <div class="editor-grid">
          <div class="stack">
            <section class="card stack">
              <label class="field">
                <span>Name</span>
                <input class="input" required maxLength={200} value={name} disabled={ro} placeholder="e.g. Paying users, active last 30d" onInput={(e) => setName(e.currentTarget.value)} />
              </label>
              <label class="field">
                <span>Description</span>
                <textarea class="input" rows={2} maxLength={2000} value={description} disabled={ro} placeholder="Who is in it, and what it is for" onInput={(e) => setDescription(e.currentTarget.value)} />
              </label>
              {!segment && (
                <div class="field">
                  <span>Type</span>
                  <Segmented label="Segment type" value={kind} options={[['dynamic', 'Dynamic: by conditions'], ['static', 'Manual: a fixed list']] as const} onChange={setKind} />
                </div>
              )}
            </section>
            {kind === 'dynamic' ? (
              <section class="card">
                <h2 class="section-title">Conditions</h2>
                <p class="muted small">Conditions in a group are joined by AND; click a connector to switch it to OR. Add a logic group to nest.</p>
                <ConditionBuilder value={root} onChange={(g) => { setRoot(g); setError(null) }} selfId={segment?.id} readOnly={ro} />
              </section>
            ) : (
              !segment && (
                <section class="card">
                  <h2 class="section-title">Members</h2>
                  <p class="muted">A manual segment is the list you keep. Create it, then add users here or from a profile's Segments tab.</p>
                </section>
              )
            )}
            {segment && <SegmentMembers segment={segment} onChanged={() => bump('segments')} />}
            {segment && <SegmentLedger segment={segment} />}
            {segment && <SegmentHistory segment={segment} onRestore={restore} />}
          </div>
          <aside class="stack">
            {kind === 'dynamic' && <LivePreview root={pruned} problem={problem} selfId={segment?.id} />}
            {segment && segment.kind === 'dynamic' && <ImpactPanel segmentId={segment.id} root={pruned} saved={segment.conditions} problem={problem} />}
            <section class="card stack">
              <h2 class="section-title">Targeting</h2>
              <Switch label="Targetable: returned to the snippet and the targeting API" checked={targetable} disabled={ro} onChange={setTargetable} />
              <label class="field">
                <span>Key</span>
                <input class="input mono" value={key} disabled={ro} maxLength={64} pattern="[a-z0-9][a-z0-9_\-]{0,63}" placeholder={slug(name) || 'paying-users'} onInput={(e) => setKey(e.currentTarget.value)} />
                <span class="muted small">What <code>jimer.segments()</code> returns for members. Lowercase letters, digits, _ and -; made from the name if empty.</span>
              </label>
            </section>
          </aside>
        </div>
      </form>
      {deleting && segment && <DeleteSegment segment={segment} onClose={() => setDeleting(false)} onDeleted={() => navigate(projectPath(pid, 'segments'), { force: true })} />}
    </div>
  )
}
