// The three states every screen has besides its content: loading, failed, and nothing yet.
import type { ComponentChildren } from 'preact'
import { IconAlert } from './icons'

export function Loading({ label = 'Loading…', inline }: { label?: string; inline?: boolean }) {
  return (
    <div class={inline ? 'loading inline' : 'loading'} role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}

export function ErrorState({ error, retry, title = 'Something went wrong' }: { error: Error | string; retry?: () => void; title?: string }) {
  return (
    <div class="state error-state" role="alert">
      <IconAlert size={22} />
      <div>
        <strong>{title}</strong>
        <p>{typeof error === 'string' ? error : error.message}</p>
        {retry && <button type="button" class="btn btn-secondary btn-sm" onClick={retry}>Try again</button>}
      </div>
    </div>
  )
}

export function Empty({ title, children, icon }: { title: string; children?: ComponentChildren; icon?: ComponentChildren }) {
  return (
    <div class="state empty-state">
      {icon && <div class="empty-icon">{icon}</div>}
      <strong>{title}</strong>
      {children && <div class="empty-body">{children}</div>}
    </div>
  )
}

/** A one-line error under a form or a control. */
export function FormError({ error }: { error: string | null | undefined }) {
  return error ? <p class="form-error" role="alert">{error}</p> : null
}
