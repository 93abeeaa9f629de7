// The condition builder (F-23), shared by the Users filter and the segment editor.
import type { ComponentChildren } from 'preact'
import type { Group, Node } from '../../condition-model'
import { ErrorState, Loading } from '../states'
import { AddMenu } from './add-menu'
import { BuilderDataContext, useLoadBuilderData } from './builder-data'
import { GroupNode } from './group-node'

interface Props {
  value: Group
  onChange: (g: Group) => void
  /** The segment being edited, so it is not offered as its own condition. */
  selfId?: number
  readOnly?: boolean
  /** Buttons shown beside "Add..." (Apply, Save as...). */
  actions?: ComponentChildren
  /** What the empty builder says beside "Add...". */
  hint?: string
}

export function ConditionBuilder({ value, onChange, selfId, readOnly, actions, hint }: Props) {
  const data = useLoadBuilderData()
  if (data.error) return <ErrorState error={data.error} retry={data.reload} title="Could not load the filter options" />
  if (!data.data) return <Loading inline label="Loading filter options…" />
  const add = (n: Node) => onChange({ ...value, conditions: [...value.conditions, n] })
  return (
    <BuilderDataContext.Provider value={{ ...data.data, selfId, readOnly }}>
      <div class="builder">
        {value.conditions.length > 0 && <GroupNode group={value} depth={0} onChange={onChange} />}
        <div class="builder-foot">
          {!readOnly && <AddMenu primary groupLogic={value.logic} onAdd={add} />}
          {!value.conditions.length && <span class="muted builder-hint">{hint ?? 'No conditions yet.'}</span>}
          <span class="spacer" />
          {actions}
        </div>
        <datalist id="jimer-events">{data.data.catalog.events.map((e) => <option key={e} value={e} />)}</datalist>
        <datalist id="jimer-experiences">{data.data.catalog.experiences.map((x) => <option key={x} value={x} />)}</datalist>
      </div>
    </BuilderDataContext.Provider>
  )
}
