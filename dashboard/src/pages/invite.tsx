// Accepting an invitation (F-70): the link's token is in the URL fragment (never sent to
// a server by the browser). Signed out, a new account chooses its password; an email that
// has an account signs in first and comes back; signed in, one click joins.
import { useEffect, useState } from 'preact/hooks'
import { account as accountApi, ApiError } from '../api'
import type { InvitationInfo } from '../api-types'
import { ErrorState, FormError, Loading } from '../components/states'
import { navigate, projectPath } from '../router'
import { loadMe, me } from '../session'
import { Logo } from './logo'

const TOKEN_KEY = 'jimer.invitation'

/** The token from the fragment, kept for the round trip through sign-in, then taken off the URL. */
function readToken(): string | null {
  const fromHash = window.location.hash.slice(1)
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash)
    window.history.replaceState(null, '', '/invite')
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

export function InvitePage() {
  const [token] = useState(readToken)
  const [info, setInfo] = useState<InvitationInfo | null>(null)
  const [failure, setFailure] = useState<string | null>(token ? null : 'This page needs the link from your invitation.')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const signedIn = me.value?.account.email ?? null

  useEffect(() => {
    if (token) accountApi.lookupInvitation(token).then(setInfo, (e: Error) => setFailure(e.message))
  }, [token, signedIn])

  const accept = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const r = await accountApi.acceptInvitation(token!, signedIn ? undefined : password)
      sessionStorage.removeItem(TOKEN_KEY)
      await loadMe()
      navigate(projectPath(r.project.id, 'users'), { replace: true })
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'sign_in_first' ? 'This email has an account: sign in first, then open the link again.' : (err as Error).message)
      setBusy(false)
    }
  }

  return (
    <main class="sign-in">
      <form class="sign-in-card" onSubmit={accept} aria-labelledby="invite-title">
        <Logo />
        <h1 id="invite-title">Join a project</h1>
        {failure ? <ErrorState error={failure} title="This invitation cannot be used" /> : !info ? <Loading /> : (
          <>
            <p>You are invited to <strong data-testid="invite-project">{info.projectName}</strong> as <strong>{info.role}</strong> ({info.email}).</p>
            {signedIn ? (
              <p class="muted">You will join as {signedIn}.</p>
            ) : info.accountExists ? (
              <p class="muted"><a href={`/sign-in?next=${encodeURIComponent('/invite')}`}>Sign in as {info.email}</a> to accept.</p>
            ) : (
              <label class="field">
                <span>Choose a password</span>
                <input class="input" type="password" autoComplete="new-password" minLength={12} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
              </label>
            )}
            <FormError error={error} />
            {(signedIn || !info.accountExists) && <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? 'Joining…' : 'Accept invitation'}</button>}
          </>
        )}
      </form>
    </main>
  )
}
