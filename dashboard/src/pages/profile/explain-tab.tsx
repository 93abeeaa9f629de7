// Explain (F-36): for any segment, every condition with the user's actual value, the
// threshold, pass / fail, and how each group decided. Works for segments the user is not in.
import type { ExplainGroup, ExplainLeaf } from '../../api-types'
import { IconCheck, IconX } from '../../components/icons'
import { Empty, ErrorState, Loading } from '../../components/states'
import { formatDateTime, valueText } from '../../format'
import { query, setQuery } from '../../router'
import { useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

export function ExplainTab({ pk }: { pk: number }) {
  const api = useApi()
  const segments = useResource(() => api.segments(), [api, versions.segments.value])
  // In the URL (`explain=<segment id>`), so a segment pill can open its explanation.
  const id = Number(query.value.get('explain')) || null
  const setId = (to: number | null) => setQuery({ explain: to === null ? undefined : String(to) }, { replace: true })
  if (segments.error) return <ErrorState error={segments.error} retry={segments.reload} />
  if (!segments.data) return <Loading />
  if (!segments.data.segments.length) return <Empty title="No segments to explain">Save a segment first; then see here why this user is or is not in it.</Empty>
  return (
    <div class="stack">
      <label class="field inline">
        <span>Why is this user in, or not in…</span>
        <select class="select" aria-label="Segment to explain" value={id ?? ''} onChange={(e) => setId(Number(e.currentTarget.value) || null)}>
          <option value="">Pick a segment…</option>
          {segments.data.segments.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </label>
      {id !== null && <Explanation key={id} pk={pk} segmentId={id} />}
    </div>
  )
}

function Explanation({ pk, segmentId }: { pk: number; segmentId: number }) {
  const api = useApi()
  const r = useResource(() => api.explain(pk, segmentId), [api, pk, segmentId, versions.users.value])
  if (r.error) return <ErrorState error={r.error} retry={r.reload} />
  if (!r.data) return <Loading label="Evaluating…" />
  const x = r.data
  return (
    <div class="stack">
      <div class={x.member ? 'verdict in' : 'verdict out'} role="status">
        {x.member ? <IconCheck /> : <IconX />}
        <div>
          <strong>{x.member ? 'In' : 'Not in'} “{x.segment.name}”</strong>
          <span class="muted small"> — {x.reason}; evaluated {formatDateTime(x.evaluatedAt)}</span>
        </div>
      </div>
      {x.explanation && <ExplainTable group={x.explanation} />}
    </div>
  )
}

/** Every condition with its actual value, threshold and result; the simulator shows the same table. */
export function ExplainTable({ group }: { group: ExplainGroup }) {
  return (
    <table class="table compact explain">
      <thead><tr><th>Condition</th><th>Actual value</th><th>Threshold</th><th>Result</th></tr></thead>
      <tbody><GroupRows group={group} depth={0} /></tbody>
    </table>
  )
}

function GroupRows({ group, depth }: { group: ExplainGroup; depth: number }) {
  return (
    <>
      <tr class="explain-group">
        <td colSpan={3} class={`indent-${Math.min(depth, 4)}`}>
          <span class={`connector-label ${group.logic}`}>{group.logic === 'and' ? 'ALL' : 'ANY'}</span> {group.decision}
        </td>
        <td><Result pass={group.pass} /></td>
      </tr>
      {group.children.map((c, i) => (c.kind === 'group' ? <GroupRows key={i} group={c} depth={depth + 1} /> : <LeafRow key={i} leaf={c} depth={depth + 1} />))}
    </>
  )
}

function LeafRow({ leaf, depth }: { leaf: ExplainLeaf; depth: number }) {
  return (
    <tr class={leaf.pass ? 'explain-leaf pass' : 'explain-leaf fail'}>
      <td class={`indent-${Math.min(depth, 4)} mono`}>{leaf.label}</td>
      <td class="mono">{leaf.actual === null ? <span class="muted">no value</span> : valueText(leaf.actual)}</td>
      <td class="mono">{leaf.threshold === null ? <span class="muted">—</span> : valueText(leaf.threshold)}</td>
      <td><Result pass={leaf.pass} /></td>
    </tr>
  )
}

const Result = ({ pass }: { pass: boolean }) => (
  <span class={pass ? 'result pass' : 'result fail'}>{pass ? <IconCheck size={14} /> : <IconX size={14} />}{pass ? 'Pass' : 'Fail'}</span>
)
