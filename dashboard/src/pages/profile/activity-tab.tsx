// Activity (F-32) and Responses (F-33): the user's experience interactions and survey
// answers, newest first. Both travel as `$experience` / `$response` events (F-03).
import { Empty, ErrorState, Loading } from '../../components/states'
import { RelativeTime } from '../../components/relative-time'
import { formatDateTime, valueText } from '../../format'
import { useApi, versions } from '../../session'
import { useResource } from '../../use-resource'

function useTyped(pk: number, name: '$experience' | '$response') {
  const api = useApi()
  return useResource(() => api.events(pk, { type: name, limit: 200 }), [api, pk, name, versions.users.value])
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v))

export function ActivityTab({ pk }: { pk: number }) {
  const r = useTyped(pk, '$experience')
  if (r.error) return <ErrorState error={r.error} retry={r.reload} />
  if (!r.data) return <Loading />
  if (!r.data.events.length) return <Empty title="No experience activity">Tours, surveys and banners this user sees, completes or dismisses show here.</Empty>
  return (
    <table class="table compact">
      <thead><tr><th>When</th><th>Experience</th><th>Progress</th><th>Action</th></tr></thead>
      <tbody>
        {r.data.events.map((e) => {
          const p = e.properties as { id?: unknown; name?: unknown; action?: unknown; step?: unknown; steps?: unknown }
          return (
            <tr key={e.id}>
              <td title={formatDateTime(e.timestamp)}><RelativeTime ms={e.timestamp} /></td>
              <td>{str(p.name) || str(p.id)}{p.name ? <span class="muted small mono"> · {str(p.id)}</span> : null}</td>
              <td>{typeof p.steps === 'number' ? `${typeof p.step === 'number' ? p.step : 0}/${p.steps} steps` : <span class="muted">—</span>}</td>
              <td><span class={`badge action-${str(p.action)}`}>{str(p.action)}</span></td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

export function ResponsesTab({ pk }: { pk: number }) {
  const r = useTyped(pk, '$response')
  // Experience names come with the interactions (`$experience` events carry `name`); a response names only the id.
  const seen = useTyped(pk, '$experience')
  const names = new Map<string, string>()
  for (const e of seen.data?.events ?? []) {
    const p = e.properties as { id?: unknown; name?: unknown }
    if (p.name && !names.has(str(p.id))) names.set(str(p.id), str(p.name))
  }
  if (r.error) return <ErrorState error={r.error} retry={r.reload} />
  if (!r.data) return <Loading />
  if (!r.data.events.length) return <Empty title="No responses">Answers this user gives to surveys, NPS and feedback steps show here.</Empty>
  return (
    <ul class="responses">
      {r.data.events.map((e) => {
        const p = e.properties as { experience?: unknown; step?: unknown; question?: unknown; answer?: unknown }
        return (
          <li key={e.id} class="card response">
            <div class="response-head">
              <span class="small">
                {names.has(str(p.experience)) ? <strong>{names.get(str(p.experience))}</strong> : <span class="mono">{str(p.experience)}</span>}
                {typeof p.step === 'number' ? ` · step ${p.step}` : ''}
              </span>
              <span class="muted small" title={formatDateTime(e.timestamp)}><RelativeTime ms={e.timestamp} /></span>
            </div>
            {p.question ? <p class="question">{str(p.question)}</p> : null}
            <p class="answer">{Array.isArray(p.answer) ? p.answer.join(', ') : valueText(p.answer)}</p>
          </li>
        )
      })}
    </ul>
  )
}
