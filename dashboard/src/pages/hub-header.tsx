// Users & Segments: the page title, the two action buttons and the three tabs (seed 003).
import { IconPlus, IconUpload } from '../components/icons'
import { projectPath } from '../router'
import { canEdit, project, useApi, versions } from '../session'
import { useResource } from '../use-resource'

type Tab = 'users' | 'segments' | 'imports'

export function HubHeader({ active }: { active: Tab }) {
  const api = useApi()
  const p = project.value!
  // The live count on the tab label ("Segments 12"); reloads whenever a segment changes.
  const segments = useResource(() => api.segments(), [api, versions.segments.value])
  const count = segments.data?.segments.length
  const tab = (t: Tab, label: string, badge?: number) => (
    <a class={t === active ? 'tab active' : 'tab'} href={projectPath(p.id, t)} aria-current={t === active ? 'page' : undefined}>
      {label}
      {badge !== undefined && <span class="tab-badge" data-testid="segments-count">{badge}</span>}
    </a>
  )
  return (
    <header class="hub-header">
      <div class="hub-title-row">
        <h1>Users &amp; Segments</h1>
        <div class="hub-actions">
          {/* On every tab (seed 003); importing writes, so only for editors. */}
          {canEdit.value && (
            <a class="btn btn-secondary" href={projectPath(p.id, 'imports/new')}>
              <IconUpload size={15} /> Import users from CSV
            </a>
          )}
          {active !== 'imports' && canEdit.value && (
            <a class="btn btn-primary" href={projectPath(p.id, 'segments/new')}>
              <IconPlus size={15} /> New Segment
            </a>
          )}
        </div>
      </div>
      <nav class="tabs" aria-label="Users and segments">
        {tab('users', 'Users')}
        {tab('segments', 'Segments', count)}
        {tab('imports', 'Imports')}
      </nav>
    </header>
  )
}
