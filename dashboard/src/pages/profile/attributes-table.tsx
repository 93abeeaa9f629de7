// Attributes (F-31): Name, Value, Source, with a search field. Native fields come first.
import { useState } from 'preact/hooks'
import type { Profile } from '../../api-types'
import { formatDateTime, valueText } from '../../format'
import { IconSearch } from '../../components/icons'

export function AttributesTable({ profile }: { profile: Profile }) {
  const [q, setQ] = useState('')
  const native: [string, unknown][] = [
    ['Jimer ID', profile.anonymousId], ['User id', profile.userId], ['Email', profile.email], ['Name', profile.name], ['Created', profile.createdAt ? formatDateTime(profile.createdAt) : null],
  ]
  const rows = [
    ...native.filter(([, v]) => v !== null && v !== undefined).map(([name, value]) => ({ name, value, source: 'Native' })),
    ...profile.attributes,
  ]
  const term = q.trim().toLowerCase()
  const shown = term ? rows.filter((r) => r.name.toLowerCase().includes(term) || valueText(r.value).toLowerCase().includes(term)) : rows
  return (
    <section>
      <div class="section-head">
        <h3 class="section-title">Attributes</h3>
        <label class="search-input small">
          <IconSearch class="muted" size={14} />
          <input type="search" placeholder="Search attributes" aria-label="Search attributes" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
      </div>
      <table class="table compact attributes">
        <thead><tr><th>Name</th><th>Value</th><th>Source</th></tr></thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.name}>
              <td class="mono">{r.name}</td>
              <td class="attr-value">{valueText(r.value)}</td>
              <td><span class={`source ${r.source.toLowerCase()}`}>{r.source}</span></td>
            </tr>
          ))}
          {!shown.length && <tr><td colSpan={3} class="muted">{term ? 'No attribute matches.' : 'No attributes yet.'}</td></tr>}
        </tbody>
      </table>
    </section>
  )
}
