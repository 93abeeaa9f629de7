// The signed-in account (F-70): change the password, sign out everywhere.
import { useState } from 'preact/hooks'
import { auth } from '../../api'
import { FormError } from '../../components/states'
import { toast } from '../../components/toast'
import { me } from '../../session'

export function AccountCard() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [error, setError] = useState<string | null>(null)
  const change = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      await auth.changePassword(current, next)
      setCurrent('')
      setNext('')
      toast('Password changed; your other sessions have ended')
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const everywhere = async () => {
    await auth.logoutEverywhere().catch(() => undefined)
    me.value = null
  }
  return (
    <section class="card stack" aria-labelledby="account-title">
      <h2 class="section-title" id="account-title">Your account</h2>
      <p class="muted small">Signed in as {me.value?.account.email}</p>
      <form class="stack" onSubmit={change}>
        <label class="field"><span>Current password</span>
          <input class="input" type="password" autoComplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} /></label>
        <label class="field"><span>New password</span>
          <input class="input" type="password" autoComplete="new-password" minLength={12} required value={next} onInput={(e) => setNext(e.currentTarget.value)} /></label>
        <div><button class="btn btn-secondary" type="submit" disabled={!current || next.length < 12}>Change password</button></div>
      </form>
      <FormError error={error} />
      <div><button type="button" class="btn btn-ghost" onClick={() => void everywhere()}>Sign out everywhere</button></div>
    </section>
  )
}
