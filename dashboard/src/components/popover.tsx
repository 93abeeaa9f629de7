// A panel that opens under its button: closes on Esc (focus back to the button), on a click
// outside, or when the content calls close(). Arrow keys move between its menu items.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

export function Popover(props: {
  label: ComponentChildren
  buttonClass?: string
  ariaLabel?: string
  align?: 'left' | 'right'
  disabled?: boolean
  children: (close: () => void) => ComponentChildren
}) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const close = () => {
    setOpen(false)
    button.current?.focus()
  }

  useEffect(() => {
    if (!open) return
    const outside = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false)
    document.addEventListener('mousedown', outside)
    // Focus the first field or item, so the keyboard can go on at once.
    const first = root.current?.querySelector<HTMLElement>('.popover-panel input, .popover-panel [role=menuitem], .popover-panel button')
    first?.focus()
    return () => document.removeEventListener('mousedown', outside)
  }, [open])

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      e.stopPropagation()
      close()
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const items = [...(root.current?.querySelectorAll<HTMLElement>('.popover-panel [role=menuitem], .popover-panel [role=option]') ?? [])]
      if (!items.length) return
      e.preventDefault()
      const at = items.indexOf(document.activeElement as HTMLElement)
      const to = e.key === 'ArrowDown' ? (at + 1) % items.length : (at - 1 + items.length) % items.length
      items[at === -1 && e.key === 'ArrowUp' ? items.length - 1 : to].focus()
    }
  }

  return (
    <div class="popover" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        class={props.buttonClass ?? 'btn btn-secondary'}
        aria-label={props.ariaLabel}
        aria-haspopup="true"
        aria-expanded={open}
        disabled={props.disabled}
        onClick={(e) => {
          e.stopPropagation()
          setOpen(!open)
        }}
      >
        {props.label}
      </button>
      {open && (
        <div class={`popover-panel ${props.align === 'right' ? 'right' : ''}`} onClick={(e) => e.stopPropagation()}>
          {props.children(close)}
        </div>
      )}
    </div>
  )
}

/** A menu entry inside a Popover. */
export function MenuItem(props: { onSelect: () => void; children: ComponentChildren; danger?: boolean; disabled?: boolean }) {
  return (
    <button type="button" role="menuitem" class={props.danger ? 'menu-item danger' : 'menu-item'} disabled={props.disabled} onClick={props.onSelect}>
      {props.children}
    </button>
  )
}
