// The top of the app: who is signed in decides between the sign-in page and the shell,
// and the route decides the page inside the shell.
import { useEffect } from 'preact/hooks'
import { sessionLost } from './api'
import { ToastHost } from './components/toast'
import { ErrorState, Loading } from './components/states'
import { ImportFlowPage } from './pages/imports/import-flow'
import { ImportsPage } from './pages/imports/imports-page'
import { InvitePage } from './pages/invite'
import { NoAccess, NoProjects, NotFound } from './pages/not-found'
import { SegmentEditorPage } from './pages/segments/segment-editor'
import { SegmentsPage } from './pages/segments/segments-page'
import { SimulatorPage } from './pages/segments/simulator-page'
import { DuplicatesPage } from './pages/users/duplicates-page'
import { SettingsPage } from './pages/settings/settings-page'
import { Shell } from './pages/shell'
import { SignIn } from './pages/sign-in'
import { UsersPage } from './pages/users/users-page'
import { leaveAnyway, navigate, pendingLeave, projectPath, route, url } from './router'
import { ConfirmDialog } from './components/confirm-dialog'
import { loadMe, me, meError, project } from './session'

export function App() {
  useEffect(() => void loadMe(), [])
  // Any call that finds the session gone sends the user back to sign in.
  useEffect(() => {
    if (!sessionLost.value) return
    me.value = null
    sessionLost.value = false
  }, [sessionLost.value])

  const r = route.value
  const account = me.value
  useEffect(() => {
    if (account === null && r.name !== 'sign-in' && r.name !== 'invite') {
      const here = url.value.path + url.value.search
      navigate(here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true })
    }
    if (account && r.name === 'sign-in') navigate(safeNext(), { replace: true })
    if (account && r.name === 'home' && account.projects[0]) navigate(projectPath(account.projects[0].id, 'users'), { replace: true })
  }, [account, r.name])

  let page
  if (r.name === 'invite' && account !== undefined) page = <InvitePage />
  else if (account === undefined) page = meError.value ? <div class="center-page"><ErrorState error={meError.value} retry={loadMe} /></div> : <div class="center-page"><Loading /></div>
  // Signed out on another page: the sign-in page shows once the address says /sign-in (the
  // effect above moves it there), never under the address of the page that was asked for.
  else if (account === null || r.name === 'sign-in') page = account === null && r.name === 'sign-in' ? <SignIn /> : <Loading />
  else if (r.name === 'home') page = account.projects.length ? <Loading /> : <Shell><NoProjects /></Shell>
  else if (r.name === 'not-found') page = <Shell><NotFound /></Shell>
  else if (!project.value) page = <Shell><NoAccess /></Shell>
  else {
    const p = project.value
    page = (
      // Keyed by project: switching projects starts every screen afresh.
      <Shell key={p.id}>
        {r.name === 'users' && <UsersPage />}
        {r.name === 'segments' && <SegmentsPage />}
        {r.name === 'segment' && <SegmentEditorPage key={String(r.segmentId)} segmentId={r.segmentId} />}
        {r.name === 'simulator' && <SimulatorPage />}
        {r.name === 'duplicates' && <DuplicatesPage />}
        {r.name === 'imports' && <ImportsPage />}
        {r.name === 'import-new' && <ImportFlowPage />}
        {r.name === 'settings' && <SettingsPage />}
      </Shell>
    )
  }
  return (
    <>
      {page}
      {pendingLeave.value && (
        <ConfirmDialog title="Discard unsaved changes?" confirmLabel="Discard changes" danger onClose={() => void (pendingLeave.value = null)} onConfirm={async () => leaveAnyway()}>
          <p>This segment has changes that are not saved. Leave and lose them, or stay and save.</p>
        </ConfirmDialog>
      )}
      <ToastHost />
    </>
  )
}

/** Where to go after signing in: only a path inside this app, never another site. */
function safeNext(): string {
  const next = new URLSearchParams(url.value.search).get('next')
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/'
}
