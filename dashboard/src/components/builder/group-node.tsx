// A logic group: its conditions joined by AND (green) or OR (orange); groups nest.
// Clicking a connector switches the group between AND and OR.
import type { Group, Leaf, Node } from '../../condition-model'
import { IconX } from '../icons'
import { AddMenu } from './add-menu'
import { useBuilderData } from './builder-data'
import { LeafRow } from './leaf-row'

interface Props { group: Group; onChange: (g: Group) => void; onRemove?: () => void; depth: number }

export function GroupNode({ group, onChange, onRemove, depth }: Props) {
  const ro = useBuilderData().readOnly
  const setChild = (i: number, n: Node | null) =>
    onChange({ ...group, conditions: n === null ? group.conditions.filter((_, j) => j !== i) : group.conditions.map((c, j) => (j === i ? n : c)) })
  const toggle = () => onChange({ ...group, logic: group.logic === 'and' ? 'or' : 'and' })
  const word = group.logic === 'and' ? 'AND' : 'OR'

  return (
    <div class={`group depth-${Math.min(depth, 3)} logic-${group.logic}`} role="group" aria-label={depth ? `Logic group (${word})` : `Conditions (${word})`}>
      {depth > 0 && (
        <div class="group-head">
          <span class="muted small">Match {group.logic === 'and' ? 'all' : 'any'} of</span>
          {!ro && onRemove && <button type="button" class="icon-btn" aria-label="Remove group" onClick={onRemove}><IconX size={14} /></button>}
        </div>
      )}
      {group.conditions.map((c, i) => (
        <div class="group-item" key={i}>
          {i > 0 && (
            <button type="button" class={`connector ${group.logic}`} disabled={ro} aria-label={`${word}: switch to ${group.logic === 'and' ? 'OR' : 'AND'}`} title="Switch AND / OR" onClick={toggle}>
              {word}
            </button>
          )}
          {c.type === 'group'
            ? <GroupNode group={c} depth={depth + 1} onChange={(g) => setChild(i, g)} onRemove={() => setChild(i, null)} />
            : <LeafRow leaf={c as Leaf} onChange={(l) => setChild(i, l)} onRemove={() => setChild(i, null)} />}
        </div>
      ))}
      {depth > 0 && !ro && (
        <div class="group-foot">
          <AddMenu label={group.conditions.length ? 'Add condition' : 'Add a condition to this group'} groupLogic={group.logic} onAdd={(n) => onChange({ ...group, conditions: [...group.conditions, n] })} />
        </div>
      )}
    </div>
  )
}
