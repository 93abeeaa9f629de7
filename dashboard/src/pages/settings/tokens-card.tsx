// API tokens (F-71): named, one scope each, shown once at creation, revocable.
import { useState } from 'preact/hooks'
import type { TokenScope } from '../../api-types'
import { CopyButton } from '../../components/copy-button'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, FormError, Loading } from '../../components/states'
import { useApi } from '../../session'
import { useResource } from '../../use-resource'

const SCOPES: { scope: TokenScope; says: string }[] = [
  { scope: 'ingest', says: 'send data to the collector only' },
  { scope: 'read', says: 'read the admin API' },
  { scope: 'write', says: 'read and change' },
  { scope: 'admin', says: 'everything, members and tokens too' },
]

export function TokensCard() {
  const api = useApi()
  const tokens = useResource(() => api.tokens(), [api])
  const [name, setName] = useState('')
  const [scope, setScope] = useState<TokenScope>('read')
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const run = async (work: () => Promise<unknown>) => {
    setError(null)
    try {
      await work()
      tokens.reload()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <section class="card stack" aria-labelledby="tokens-title">
      <h2 class="section-title" id="tokens-title">API tokens</h2>
      <p class="muted small">For your servers: send one as <code>Authorization: Bearer …</code>. The secret key still works as an admin token.</p>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void run(async () => { const t = await api.createToken(name.trim(), scope); setShown({ name: t.name, token: t.token }); setName('') }) }}>
        <input class="input" aria-label="Token name" placeholder="CRM sync" maxLength={100} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <select class="select" aria-label="Token scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as TokenScope)}>
          {SCOPES.map((s) => <option key={s.scope} value={s.scope}>{s.scope} — {s.says}</option>)}
        </select>
        <button class="btn btn-primary" type="submit" disabled={!name.trim()}>Create token</button>
      </form>
      {shown && (
        <div class="notice stack" role="status">
          <p>Copy the token <strong>{shown.name}</strong> now: it is not shown again.</p>
          <div class="inline-form">
            <input class="input mono" readOnly aria-label="New token" value={shown.token} />
            <CopyButton text={shown.token} label="Copy token" />
          </div>
        </div>
      )}
      {tokens.error ? <ErrorState error={tokens.error} retry={tokens.reload} /> : !tokens.data ? <Loading inline /> : tokens.data.tokens.length === 0 ? (
        <p class="muted small">No tokens yet.</p>
      ) : (
        <table class="table compact">
          <thead><tr><th>Name</th><th>Scope</th><th>Token</th><th>Created</th><th>Last used</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id} data-testid="token-row">
                <td>{t.name}</td><td>{t.scope}</td><td class="mono">{t.prefix}…</td><td><RelativeTime ms={t.createdAt} /></td><td><RelativeTime ms={t.lastUsedAt} /></td>
                <td><button type="button" class="btn btn-ghost btn-sm" aria-label={`Revoke ${t.name}`} onClick={() => void run(() => api.revokeToken(t.id))}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormError error={error} />
    </section>
  )
}
