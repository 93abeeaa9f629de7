// Who is signed in, which project is open and what they may do in it; plus the change
// counters that let one screen tell others to reload (a saved segment moves the tab badge).
import { computed, signal } from '@preact/signals'
import { ApiError, auth, projectApi, sessionLost } from './api'
import type { Me, ProjectRef } from './api-types'
import { route } from './router'

/** undefined while the first /me is in flight, null when signed out. */
export const me = signal<Me | null | undefined>(undefined)
export const meError = signal<string | null>(null)

export async function loadMe() {
  meError.value = null
  try {
    me.value = await auth.me()
    sessionLost.value = false
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) me.value = null
    else meError.value = (e as Error).message
  }
}

export async function signOut() {
  await auth.logout().catch(() => undefined)
  me.value = null
}

/** The project named in the URL, if the account is a member of it. */
export const project = computed<ProjectRef | null>(() => {
  const r = route.value
  if (!('projectId' in r) || !me.value) return null
  return me.value.projects.find((p) => p.id === r.projectId) ?? null
})

export const api = computed(() => (project.value ? projectApi(project.value.id) : null))
export const canEdit = computed(() => project.value !== null && project.value.role !== 'viewer')
export const isAdmin = computed(() => project.value?.role === 'admin')

/** Bumped after a change; resources that read it reload. */
export const versions = {
  users: signal(0),
  segments: signal(0),
  tags: signal(0),
  catalog: signal(0),
}
export const bump = (...keys: (keyof typeof versions)[]) => keys.forEach((k) => versions[k].value++)

/** Non-null api for components that only render inside a project. */
export function useApi() {
  const a = api.value
  if (!a) throw new Error('no project open')
  return a
}
