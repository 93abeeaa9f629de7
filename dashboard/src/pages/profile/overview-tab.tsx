// Overview (F-31, F-35): the metric cards, segment pills with when each was computed,
// the attributes table with a search field, and the devices.
import type { ComponentChildren } from 'preact'
import type { Profile } from '../../api-types'
import { ErrorState, Loading } from '../../components/states'
import { formatDate, formatNumber, relativeTime } from '../../format'
import { withQuery } from '../../router'
import { RelativeTime } from '../../components/relative-time'
import { useApi, versions } from '../../session'
import { useResource } from '../../use-resource'
import { AttributesTable } from './attributes-table'

export function OverviewTab({ profile }: { profile: Profile }) {
  const api = useApi()
  const memberships = useResource(() => api.memberships(profile.id), [api, profile.id, versions.users.value, versions.segments.value])
  const cards: [string, ComponentChildren, string?][] = [
    // 0: never seen — made by an import, the dashboard or a server, with no activity yet.
    ['First seen', profile.firstSeen ? formatDate(profile.firstSeen) : 'Never', profile.firstSeen ? relativeTime(profile.firstSeen) : undefined],
    ['Last seen', profile.lastSeen ? formatDate(profile.lastSeen) : 'Never', profile.lastSeen ? relativeTime(profile.lastSeen) : undefined],
    ['Experiences seen', formatNumber(profile.experiencesSeen)],
    ['Sessions', formatNumber(profile.sessions)],
    ['Events', formatNumber(profile.stats.events), `${formatNumber(profile.stats.eventTypes)} ${profile.stats.eventTypes === 1 ? 'type' : 'types'}`],
  ]
  return (
    <div class="stack">
      <div class="cards">
        {cards.map(([label, value, sub]) => (
          <div class="card metric" key={label}>
            <span class="metric-label">{label}</span>
            <span class="metric-value">{value}</span>
            {sub && <span class="metric-sub muted">{sub}</span>}
          </div>
        ))}
      </div>

      <section>
        <h3 class="section-title">User segments</h3>
        {memberships.error ? (
          <ErrorState error={memberships.error} retry={memberships.reload} />
        ) : !memberships.data ? (
          <Loading inline />
        ) : memberships.data.segments.length === 0 ? (
          <p class="muted">Not in any segment right now.</p>
        ) : (
          <div class="pills">
            {memberships.data.segments.map((s) => (
              // A pill opens Explain for its segment: why this user is in it.
              <a key={s.id} class={`seg-pill ${s.kind}`} href={withQuery({ tab: 'explain', explain: String(s.id) })}
                title={`Why is this user in “${s.name}”? Entered ${new Date(s.enteredAt).toLocaleString()} · computed ${new Date(s.computedAt).toLocaleString()}`}>
                {s.name}
                <span class="seg-pill-time">computed <RelativeTime ms={s.computedAt} /></span>
              </a>
            ))}
          </div>
        )}
      </section>

      <AttributesTable profile={profile} />

      <section>
        <h3 class="section-title">Devices</h3>
        {profile.devices.length === 0 ? (
          <p class="muted">No device recorded: this user was created by hand or by the server API.</p>
        ) : (
          <table class="table compact">
            <thead><tr><th>Browser</th><th>OS</th><th>Device</th><th>Last seen</th></tr></thead>
            <tbody>
              {profile.devices.map((d) => (
                <tr key={d.jimerId}>
                  <td>{[d.browser, d.browserVersion].filter(Boolean).join(' ') || <span class="muted">unknown</span>}</td>
                  <td>{[d.os, d.osVersion].filter(Boolean).join(' ') || <span class="muted">unknown</span>}</td>
                  <td>{d.deviceType ?? 'desktop'}{d.screen ? <span class="muted small"> · {d.screen}</span> : null}</td>
                  <td><RelativeTime ms={d.lastSeen} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}
