// Short confirmations ("Copied", "Segment saved") in a polite live region.
import { signal } from '@preact/signals'

interface Toast { id: number; text: string; kind: 'ok' | 'error' }
const toasts = signal<Toast[]>([])
let next = 1

export function toast(text: string, kind: Toast['kind'] = 'ok') {
  const t = { id: next++, text, kind }
  // Three at most: a burst of changes should not pile up over the page.
  toasts.value = [...toasts.value.slice(-2), t]
  setTimeout(() => (toasts.value = toasts.value.filter((x) => x.id !== t.id)), kind === 'error' ? 6000 : 3000)
}

export function ToastHost() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => <div key={t.id} class={`toast ${t.kind}`}>{t.text}</div>)}
    </div>
  )
}
