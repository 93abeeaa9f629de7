// Projects (F-70): make a new one (you are its admin); delete this one, with its name typed.
import { useState } from 'preact/hooks'
import { account } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { FormError } from '../../components/states'
import { navigate, projectPath } from '../../router'
import { isAdmin, loadMe, project } from '../../session'

export function ProjectsCard() {
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState(false)
  const create = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      const made = await account.createProject(name.trim())
      await loadMe()
      navigate(projectPath(made.id, 'settings'))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <section class="card stack" aria-labelledby="projects-title">
      <h2 class="section-title" id="projects-title">Projects</h2>
      <form class="inline-form" onSubmit={create}>
        <input class="input" aria-label="New project name" placeholder="Staging" maxLength={200} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button class="btn btn-secondary" type="submit" disabled={!name.trim()}>Create project</button>
      </form>
      <FormError error={error} />
      {isAdmin.value && project.value && (
        <div class="danger-zone stack">
          <p class="small">Deleting <strong>{project.value.name}</strong> erases all its users, events, segments, imports, members, tokens and audit log. Its keys stop working.</p>
          <div><button type="button" class="btn btn-danger" onClick={() => setDeleting(true)}>Delete project…</button></div>
        </div>
      )}
      {deleting && project.value && <DeleteProject id={project.value.id} name={project.value.name} onClose={() => setDeleting(false)} />}
    </section>
  )
}

function DeleteProject({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  const [typed, setTyped] = useState('')
  const remove = async () => {
    await account.deleteProject(id, typed)
    await loadMe()
    navigate('/')
  }
  return (
    <ConfirmDialog title={`Delete ${name}?`} confirmLabel="Delete for good" danger blocked={typed !== name} onConfirm={remove} onClose={onClose}>
      <div class="stack">
        <p>This cannot be undone. Type the project's name to confirm:</p>
        <p><strong class="mono">{name}</strong></p>
        <input class="input" aria-label="Project name to confirm" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      </div>
    </ConfirmDialog>
  )
}
