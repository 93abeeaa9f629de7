// A small router on the History API. The URL is the state that can be shared: the page,
// the Users search and filter, the open profile and its tab.
import { computed, signal } from '@preact/signals'

export type Route =
  | { name: 'sign-in' }
  | { name: 'invite' }
  | { name: 'home' }
  | { name: 'users'; projectId: string }
  | { name: 'segments'; projectId: string }
  | { name: 'segment'; projectId: string; segmentId: number | 'new' }
  | { name: 'simulator'; projectId: string }
  | { name: 'duplicates'; projectId: string }
  | { name: 'imports'; projectId: string }
  | { name: 'import-new'; projectId: string }
  | { name: 'settings'; projectId: string }
  | { name: 'not-found' }

const here = () => ({ path: window.location.pathname, search: window.location.search })
export const url = signal(here())

export const query = computed(() => new URLSearchParams(url.value.search))
export const route = computed<Route>(() => parse(url.value.path))

export function parse(path: string): Route {
  if (path === '/' || path === '') return { name: 'home' }
  if (path === '/sign-in') return { name: 'sign-in' }
  if (path === '/invite') return { name: 'invite' }
  const m = /^\/p\/([^/]+)\/(users|segments|imports|settings)(?:\/([^/]+))?\/?$/.exec(path)
  if (!m) return { name: 'not-found' }
  const projectId = decodeURIComponent(m[1])
  const page = m[2] as 'users' | 'segments' | 'imports' | 'settings'
  if (page === 'segments' && m[3] === 'simulate') return { name: 'simulator', projectId }
  if (page === 'users' && m[3] === 'duplicates') return { name: 'duplicates', projectId }
  if (page === 'segments' && m[3]) {
    const id = m[3] === 'new' ? 'new' : Number(m[3])
    return id === 'new' || (Number.isSafeInteger(id) && id > 0) ? { name: 'segment', projectId, segmentId: id } : { name: 'not-found' }
  }
  if (page === 'imports' && m[3] === 'new') return { name: 'import-new', projectId }
  return m[3] ? { name: 'not-found' } : { name: page, projectId }
}

export const projectPath = (projectId: string, page: string) => `/p/${encodeURIComponent(projectId)}/${page}`

/**
 * A screen with unsaved changes (the segment editor) says so here: leaving it in the app —
 * a link, the back button — waits on `pendingLeave` until the user confirms (LeaveDialog),
 * and closing or reloading the tab gets the browser's own prompt.
 */
let unsaved: (() => boolean) | null = null
export const pendingLeave = signal<string | null>(null)

export function guardUnsaved(dirty: () => boolean): () => void {
  unsaved = dirty
  return () => {
    if (unsaved === dirty) unsaved = null
  }
}

/** The user chose to discard their changes: go where they were going. */
export function leaveAnyway() {
  const to = pendingLeave.value
  pendingLeave.value = null
  unsaved = null
  if (to) navigate(to)
}

window.addEventListener('beforeunload', (e) => {
  if (unsaved?.()) e.preventDefault()
})

/**
 * Goes to a URL inside the app; `replace` for changes that should not fill the back button;
 * `force` past the unsaved-changes guard (after a save, the editor itself moves on).
 */
export function navigate(to: string, opts: { replace?: boolean; force?: boolean } = {}) {
  const target = new URL(to, window.location.href)
  if (target.pathname + target.search === url.value.path + url.value.search) return
  if (!opts.force && target.pathname !== url.value.path && unsaved?.()) {
    pendingLeave.value = target.pathname + target.search
    return
  }
  window.history[opts.replace ? 'replaceState' : 'pushState'](null, '', target.pathname + target.search)
  url.value = here()
  if (!opts.replace) window.scrollTo(0, 0)
}

/** Changes some query parameters of the current page (undefined or '' removes one). */
export function setQuery(patch: Record<string, string | undefined>, opts: { replace?: boolean } = {}) {
  const next = new URLSearchParams(url.value.search)
  for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, v))
  const s = next.toString()
  navigate(url.value.path + (s ? '?' + s : ''), opts)
}

/** The href of the current page with some query parameters changed (for links). */
export function withQuery(patch: Record<string, string | undefined>): string {
  const next = new URLSearchParams(url.value.search)
  for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, v))
  const s = next.toString()
  return url.value.path + (s ? '?' + s : '')
}

window.addEventListener('popstate', () => {
  const next = here()
  if (next.path !== url.value.path && unsaved?.()) {
    // The browser has moved already: put the editor's URL back and ask first.
    window.history.pushState(null, '', url.value.path + url.value.search)
    pendingLeave.value = next.path + next.search
    return
  }
  url.value = next
})

/** A plain left click on an in-app link navigates without reloading; others open as usual. */
export function onLinkClick(e: MouseEvent) {
  const a = (e.target as Element).closest?.('a')
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  if (a.target || a.hasAttribute('download') || a.origin !== window.location.origin) return
  e.preventDefault()
  navigate(a.pathname + a.search)
}
