// The Users filter: the shared builder, Apply (into the URL) and Save as... a segment.
import { useEffect, useState } from 'preact/hooks'
import { ConditionBuilder } from '../../components/builder/builder'
import { FormError } from '../../components/states'
import { emptyTree, leafCount, prune, treeProblem, type ConditionTree, type Group } from '../../condition-model'
import { setQuery } from '../../router'
import { canEdit } from '../../session'
import { SaveSegmentDialog } from './save-segment-dialog'

/** The filter from the URL, or an empty one when it is missing or unreadable. */
export function parseFilter(text: string): Group {
  try {
    const t = JSON.parse(text) as ConditionTree
    if (t && t.version === 1 && t.root?.type === 'group' && Array.isArray(t.root.conditions)) return t.root
  } catch {
    // A hand-edited URL: start with no filter rather than fail.
  }
  return emptyTree().root
}

export const filterParam = (g: Group) => (g.conditions.length ? JSON.stringify({ version: 1, root: g }) : undefined)

export function FilterPanel({ applied }: { applied: string }) {
  const [draft, setDraft] = useState<Group>(() => parseFilter(applied))
  const [problem, setProblem] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  // The URL changed (back button, a shared link): show its filter.
  useEffect(() => setDraft(parseFilter(applied)), [applied])

  const pruned = prune(draft)
  const dirty = (filterParam(pruned) ?? '') !== applied
  const check = () => {
    const p = treeProblem(pruned)
    setProblem(p)
    return !p
  }
  const apply = () => check() && setQuery({ filter: filterParam(pruned) })
  const clear = () => {
    setDraft(emptyTree().root)
    setProblem(null)
    setQuery({ filter: undefined })
  }

  return (
    <section class={draft.conditions.length ? 'filter-panel open' : 'filter-panel'} aria-label="Filter">
      <ConditionBuilder
        value={draft}
        onChange={(g) => { setDraft(g); setProblem(null) }}
        hint="Filter by properties, custom attributes, events, experiences or segments"
        actions={
          draft.conditions.length > 0 && (
            <>
              <button type="button" class="btn btn-ghost" onClick={clear}>Clear</button>
              {canEdit.value && <button type="button" class="btn btn-secondary" disabled={!leafCount(pruned)} onClick={() => check() && setSaving(true)}>Save as...</button>}
              <button type="button" class={dirty ? 'btn btn-primary' : 'btn btn-secondary'} onClick={apply}>Apply</button>
            </>
          )
        }
      />
      <FormError error={problem} />
      {saving && <SaveSegmentDialog conditions={{ version: 1, root: pruned }} onClose={() => setSaving(false)} />}
    </section>
  )
}
