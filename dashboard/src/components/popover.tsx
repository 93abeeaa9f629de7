// A panel that opens under its button: closes on Esc (focus back to the button), on a click
// outside, or when the content calls close(). Arrow keys move between its menu items.
// The panel is placed in the viewport (position: fixed), kept inside it: opened from a row
// of a scrolling table it must not widen the table and scroll it sideways (issue 14).
import type { ComponentChildren } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'

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
  const panel = useRef<HTMLDivElement>(null)
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null)
  const close = () => {
    setOpen(false)
    button.current?.focus()
  }

  useLayoutEffect(() => {
    if (!open) return
    const measure = () => {
      const b = button.current?.getBoundingClientRect()
      const width = panel.current?.offsetWidth ?? 0
      const height = panel.current?.offsetHeight ?? 0
      if (!b) return
      const wanted = props.align === 'right' ? b.right - width : b.left
      // Above the button when there is no room below it.
      const top = b.bottom + 6 + height > window.innerHeight && b.top - 6 - height > 0 ? b.top - 6 - height : b.bottom + 6
      setPlace({ top, left: Math.max(8, Math.min(wanted, window.innerWidth - width - 8)) })
    }
    measure()
    // Follows its button when the page or a scrolling container moves.
    window.addEventListener('scroll', measure, true)
    window.addEventListener('resize', measure)
    return () => {
      window.removeEventListener('scroll', measure, true)
      window.removeEventListener('resize', measure)
    }
  }, [open])

  useEffect(() => {
    if (!open) return
    const outside = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false)
    document.addEventListener('mousedown', outside)
    // Esc closes it even when focus has left the panel: a clicked item that re-renders away
    // (a category of the add menu) drops focus to the page until the next item takes it.
    const escape = (e: KeyboardEvent) => {
      const at = document.activeElement
      if (e.key === 'Escape' && !e.defaultPrevented && (!at || at === document.body)) close()
    }
    document.addEventListener('keydown', escape)
    // Focus the first field or item, so the keyboard can go on at once.
    const first = root.current?.querySelector<HTMLElement>('.popover-panel input, .popover-panel [role=menuitem], .popover-panel button')
    first?.focus()
    return () => {
      document.removeEventListener('mousedown', outside)
      document.removeEventListener('keydown', escape)
    }
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
          // Placed under the button at once (focusable from the first frame); measured after.
          const b = e.currentTarget.getBoundingClientRect()
          setPlace({ top: b.bottom + 6, left: b.left })
          setOpen(!open)
        }}
      >
        {props.label}
      </button>
      {open && (
        <div
          ref={panel}
          class="popover-panel"
          style={place ? { top: `${place.top}px`, left: `${place.left}px` } : undefined}
          onClick={(e) => e.stopPropagation()}
        >
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
