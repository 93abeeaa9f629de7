// A round avatar with initials on a colour picked from the user's id (the profile key, which
// every list has), so the same person keeps the same colour everywhere (F-20).
const PALETTE = ['#4f46e5', '#0891b2', '#059669', '#d97706', '#db2777', '#7c3aed', '#2563eb', '#dc2626', '#0d9488', '#9333ea', '#ea580c', '#65a30d']

/** FNV-1a over the id: cheap, stable, well spread. */
export function colorFor(id: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return PALETTE[(h >>> 0) % PALETTE.length]
}

function initials(name: string | null): string {
  const words = (name ?? '').trim().split(/\s+/).filter((w) => /^\p{L}/u.test(w))
  if (!words.length) return ''
  return (words[0][0] + (words.length > 1 ? words[words.length - 1][0] : '')).toUpperCase()
}

export function Avatar({ id, name, size = 32 }: { id: string; name: string | null; size?: number }) {
  const text = initials(name)
  return (
    <span class="avatar" style={{ background: colorFor(id), width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` }} aria-hidden="true">
      {text || (
        <svg viewBox="0 0 24 24" width={size * 0.55} height={size * 0.55} fill="currentColor"><circle cx="12" cy="8" r="4.5" /><path d="M3.5 21a8.5 8.5 0 0 1 17 0z" /></svg>
      )}
    </span>
  )
}
