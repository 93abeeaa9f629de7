// Modal dialogs on the native <dialog>: focus stays inside, Esc closes, the page behind is inert.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { IconX } from './icons'

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; footer?: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current!
    if (!d.open) d.showModal()
    return () => d.close()
  }, [])
  return (
    <dialog
      ref={ref}
      class={props.wide ? 'dialog wide' : 'dialog'}
      aria-label={props.title}
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === ref.current) props.onClose()
      }}
    >
      <div class="dialog-inner">
        <header class="dialog-head">
          <h2>{props.title}</h2>
          <button type="button" class="icon-btn" aria-label="Close" onClick={props.onClose}><IconX /></button>
        </header>
        <div class="dialog-body">{props.children}</div>
        {props.footer && <footer class="dialog-foot">{props.footer}</footer>}
      </div>
    </dialog>
  )
}
