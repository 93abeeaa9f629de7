import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { Dialog } from './dialog'
import { FormError } from './states'

/**
 * "Are you sure?" for anything that cannot be undone. The action runs here, so a refusal
 * from the server (a segment still in use) shows in the dialog, where the user is looking.
 */
export function ConfirmDialog(props: {
  title: string
  children: ComponentChildren
  confirmLabel: string
  danger?: boolean
  /** Keeps the confirm button off until the user has done what the dialog asks (typed a name). */
  blocked?: boolean
  onConfirm: () => Promise<unknown>
  onClose: () => void
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async () => {
    setBusy(true)
    setError(null)
    try {
      await props.onConfirm()
      props.onClose()
    } catch (e) {
      setError((e as Error).message)
      setBusy(false)
    }
  }
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>Cancel</button>
          <button type="button" class={props.danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={busy || props.blocked} onClick={run}>
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </>
      }
    >
      <div class="confirm-text">{props.children}</div>
      <FormError error={error} />
    </Dialog>
  )
}
