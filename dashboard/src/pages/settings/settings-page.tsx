// Settings (F-70, F-71, F-72, F-08): the project's name, keys, snippet, allowed origins,
// identity verification, tags, custom attribute definitions; members and invitations, API
// tokens, webhooks, projects, the account, and the audit log.
import { useState } from 'preact/hooks'
import { account } from '../../api'
import { CopyButton } from '../../components/copy-button'
import { ErrorState, FormError, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { isAdmin, loadMe, me, useApi } from '../../session'
import { useResource } from '../../use-resource'
import { AttributesManager } from './attributes-manager'
import { KeysCard } from './keys-card'
import { AccessCard } from './access-card'
import { AccountCard } from './account-card'
import { AuditCard } from './audit-card'
import { MembersCard } from './members-card'
import { ProjectsCard } from './projects-card'
import { TokensCard } from './tokens-card'
import { TagsManager } from './tags-manager'
import { WebhooksCard } from './webhooks-card'

export function SettingsPage() {
  const api = useApi()
  const settings = useResource(() => api.settings(), [api])
  return (
    <div class="page-pad settings">
      <header class="page-head">
        <h1>Settings</h1>
        {!isAdmin.value && <p class="muted">Only a project admin can change keys, origins and verification.</p>}
      </header>
      {settings.error ? (
        <ErrorState error={settings.error} retry={settings.reload} title="Could not load the settings" />
      ) : !settings.data ? (
        <Loading label="Loading settings…" />
      ) : (
        <div class="settings-grid">
          <ProjectCard name={settings.data.project.name} onSaved={settings.reload} />
          <KeysCard settings={settings.data} onChanged={settings.reload} />
          <section class="card stack" aria-labelledby="snippet-title">
            <div class="section-head">
              <h2 class="section-title" id="snippet-title">Install the snippet</h2>
              {settings.data.snippet && <CopyButton text={settings.data.snippet} label="Copy snippet" />}
            </div>
            <p class="muted small">Paste this into the <code>&lt;head&gt;</code> of every page of your product. Then call <code>jimer.identify(userId, {'{ email, name }'})</code> after login.</p>
            {settings.data.snippet ? <pre class="code snippet">{settings.data.snippet}</pre> : <p class="muted">This server has no built snippet: run <code>npm run build</code>.</p>}
          </section>
          <AccessCard settings={settings.data} onChanged={settings.reload} />
          <TagsManager />
          <AttributesManager />
          <MembersCard />
          {isAdmin.value && <TokensCard />}
          <ProjectsCard />
          <AccountCard />
          <WebhooksCard />
          {isAdmin.value && <AuditCard />}
        </div>
      )}
    </div>
  )
}

function ProjectCard({ name, onSaved }: { name: string; onSaved: () => void }) {
  const api = useApi()
  const [value, setValue] = useState(name)
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      await account.renameProject(api.projectId, value.trim())
      toast('Project renamed')
      onSaved()
      // The switcher reads project names from /me.
      if (me.value) await loadMe()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <section class="card stack" aria-labelledby="project-title">
      <h2 class="section-title" id="project-title">Project</h2>
      <form class="inline-form" onSubmit={save}>
        <input class="input" aria-label="Project name" maxLength={200} value={value} disabled={!isAdmin.value} onInput={(e) => setValue(e.currentTarget.value)} />
        {isAdmin.value && <button class="btn btn-secondary" type="submit" disabled={!value.trim() || value.trim() === name}>Rename</button>}
      </form>
      <FormError error={error} />
    </section>
  )
}
