// Sign-in (F-70): email and password; the server sets the session cookie.
import { useState } from 'preact/hooks'
import { auth } from '../api'
import { FormError } from '../components/states'
import { me } from '../session'
import { Logo } from './logo'

export function SignIn() {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      me.value = await auth.login(email.trim(), password)
    } catch (err) {
      setError((err as Error).message === 'wrong email or password' ? 'Wrong email or password.' : (err as Error).message)
      setBusy(false)
    }
  }

  return (
    <main class="sign-in">
      <form class="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <Logo />
        <h1 id="sign-in-title">Sign in to Jimer</h1>
        <p class="muted">Users &amp; Segments for your product.</p>
        <label class="field">
          <span>Email</span>
          <input class="input" type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Password</span>
          <input class="input" type="password" name="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <FormError error={error} />
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="muted small">The first account is printed by <code>npm start</code> on its first run.</p>
      </form>
    </main>
  )
}
