// Keys (F-71): the public write key for the snippet, the secret key for the server API and
// identity verification (masked until revealed), each with a rotate button.
import { useState } from 'preact/hooks'
import type { Settings } from '../../api-types'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { CopyButton } from '../../components/copy-button'
import { IconEye, IconEyeOff, IconRefresh } from '../../components/icons'
import { toast } from '../../components/toast'
import { formatDateTime } from '../../format'
import { isAdmin, useApi } from '../../session'

export function KeysCard({ settings, onChanged }: { settings: Settings; onChanged: () => void }) {
  const api = useApi()
  const [reveal, setReveal] = useState(false)
  const [rotating, setRotating] = useState<'write' | 'secret' | null>(null)
  return (
    <section class="card stack" aria-labelledby="keys-title">
      <h2 class="section-title" id="keys-title">Keys</h2>
      <div class="key-row">
        <div class="key-label">
          <strong>Write key</strong>
          <span class="muted small">Public: in the snippet. It can only send data.</span>
        </div>
        <code class="key-value" data-testid="write-key">{settings.writeKey}</code>
        <CopyButton text={settings.writeKey} label="Copy write key" />
        {isAdmin.value && <button type="button" class="btn btn-secondary btn-sm" onClick={() => setRotating('write')}><IconRefresh size={14} /> Rotate</button>}
      </div>
      <div class="key-row">
        <div class="key-label">
          <strong>Secret key</strong>
          <span class="muted small">Server API (Bearer) and identity verification. Never put it in a page.</span>
        </div>
        {settings.secretKey ? (
          <>
            <code class="key-value" data-testid="secret-key">{reveal ? settings.secretKey : `${settings.secretKey.slice(0, 3)}${'•'.repeat(24)}`}</code>
            <button type="button" class="icon-btn" aria-label={reveal ? 'Hide secret key' : 'Reveal secret key'} aria-pressed={reveal} onClick={() => setReveal(!reveal)}>{reveal ? <IconEyeOff /> : <IconEye />}</button>
            <CopyButton text={settings.secretKey} label="Copy secret key" />
            <button type="button" class="btn btn-secondary btn-sm" onClick={() => setRotating('secret')}><IconRefresh size={14} /> Rotate</button>
          </>
        ) : (
          <span class="muted">Only admins can see the secret key.</span>
        )}
      </div>
      {settings.previousSecretExpiresAt && settings.previousSecretExpiresAt > Date.now() && (
        <p class="muted small">The previous secret key keeps working until {formatDateTime(settings.previousSecretExpiresAt)}.</p>
      )}
      {rotating && (
        <ConfirmDialog
          title={rotating === 'write' ? 'Rotate the write key?' : 'Rotate the secret key?'}
          confirmLabel="Rotate"
          danger
          onClose={() => setRotating(null)}
          onConfirm={async () => {
            await api.rotate(rotating)
            toast(rotating === 'write' ? 'New write key: update the snippet on your pages' : 'New secret key: update your servers')
            onChanged()
          }}
        >
          {rotating === 'write' ? (
            <p>The current write key stops working at once: pages with the old snippet stop sending until you paste the new one.</p>
          ) : (
            <p>A new secret key is made; the current one keeps working for 24 hours so you can update your servers.</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  )
}
