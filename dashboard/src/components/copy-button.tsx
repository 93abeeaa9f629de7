import { useState } from 'preact/hooks'
import { IconCheck, IconCopy } from './icons'

/** Copies `text`; the icon turns into a check for a moment so the user knows it worked. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  const copy = async (e: Event) => {
    e.stopPropagation()
    try {
      await navigator.clipboard.writeText(text)
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select-and-copy fallback.
      const area = document.createElement('textarea')
      area.value = text
      document.body.append(area)
      area.select()
      document.execCommand('copy')
      area.remove()
    }
    setDone(true)
    setTimeout(() => setDone(false), 1500)
  }
  return (
    <button type="button" class="icon-btn" aria-label={done ? 'Copied' : label} title={done ? 'Copied' : label} onClick={copy}>
      {done ? <IconCheck /> : <IconCopy />}
    </button>
  )
}
