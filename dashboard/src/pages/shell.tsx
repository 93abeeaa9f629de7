// The frame around every signed-in page: the sidebar (project switcher, navigation,
// account and sign out) and the page itself.
import type { ComponentChildren } from 'preact'
import { IconLogOut, IconSettings, IconUsers } from '../components/icons'
import { navigate, projectPath, route } from '../router'
import { me, project, signOut } from '../session'
import { Logo } from './logo'

export function Shell({ children }: { children: ComponentChildren }) {
  const account = me.value!
  const current = project.value
  const r = route.value
  const section = r.name === 'settings' ? 'settings' : 'hub'
  const pid = current?.id ?? account.projects[0]?.id
  return (
    <div class="shell">
      <a class="skip-link" href="#main">Skip to content</a>
      <aside class="sidebar" aria-label="Main">
        <div class="sidebar-top">
          <Logo />
        </div>
        {account.projects.length > 0 && (
          <label class="project-switch">
            <span class="sidebar-label">Project</span>
            <select
              class="select"
              aria-label="Project"
              value={current?.id ?? ''}
              onChange={(e) => navigate(projectPath(e.currentTarget.value, 'users'))}
            >
              {!current && <option value="">Choose a project…</option>}
              {account.projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </label>
        )}
        {pid && (
          <nav class="nav">
            <a class={section === 'hub' && current ? 'nav-link active' : 'nav-link'} href={projectPath(pid, 'users')} aria-current={section === 'hub' && current ? 'page' : undefined}>
              <IconUsers /> Users &amp; Segments
            </a>
            <a class={section === 'settings' ? 'nav-link active' : 'nav-link'} href={projectPath(pid, 'settings')} aria-current={section === 'settings' ? 'page' : undefined}>
              <IconSettings /> Settings
            </a>
          </nav>
        )}
        <div class="sidebar-bottom">
          <div class="account">
            <span class="account-email" title={account.account.email}>{account.account.email}</span>
            {current && <span class={`role-badge ${current.role}`}>{current.role}</span>}
          </div>
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => void signOut()}>
            <IconLogOut size={14} /> Sign out
          </button>
        </div>
      </aside>
      <main class="main" id="main">{children}</main>
    </div>
  )
}
