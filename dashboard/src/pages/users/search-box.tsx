// Search by id, email or name (F-24): prefix or contains, always case-insensitive.
import { useEffect, useState } from 'preact/hooks'
import { IconSearch, IconX } from '../../components/icons'
import { Segmented } from '../../components/segmented'
import { useDebounced } from '../../use-resource'

type Match = 'prefix' | 'contains'

export function SearchBox({ value, match, onChange }: { value: string; match: Match; onChange: (v: string, m: Match) => void }) {
  const [text, setText] = useState(value)
  const settled = useDebounced(text, 250)
  useEffect(() => {
    if (settled !== value) onChange(settled, match)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled])
  // Back / forward changes the URL: follow it.
  useEffect(() => setText(value), [value])
  return (
    <div class="search-box">
      <label class="search-input">
        <IconSearch class="muted" />
        <input
          type="search"
          placeholder="Search name, email or user id"
          aria-label="Search users by name, email or user id"
          value={text}
          maxLength={255}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && onChange(text, match)}
        />
        {text && <button type="button" class="icon-btn" aria-label="Clear search" onClick={() => { setText(''); onChange('', match) }}><IconX size={14} /></button>}
      </label>
      <Segmented label="Match" value={match} options={[['prefix', 'Starts with'], ['contains', 'Contains']] as const} onChange={(m) => onChange(text, m)} />
    </div>
  )
}
