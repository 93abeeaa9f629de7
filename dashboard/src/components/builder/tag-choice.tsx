// The tags a Tags condition names: pills, and a menu of the others to add.
import { Popover } from '../popover'
import { TagPill } from '../tag-pill'
import { useBuilderData } from './builder-data'

export function TagChoice({ ids, onChange, disabled }: { ids: number[]; onChange: (ids: number[]) => void; disabled?: boolean }) {
  const { tags } = useBuilderData()
  const chosen = ids.map((id) => tags.find((t) => t.id === id) ?? { id, name: `#${id}`, color: '#8a94a6' })
  const others = tags.filter((t) => !ids.includes(t.id))
  return (
    <span class="tag-choice">
      {chosen.map((t) => <TagPill key={t.id} tag={t} onRemove={disabled ? undefined : () => onChange(ids.filter((x) => x !== t.id))} />)}
      {!disabled && (
        <Popover label={ids.length ? '+' : 'Pick tags…'} buttonClass="btn btn-ghost btn-sm" ariaLabel="Add a tag to this condition">
          {(close) =>
            others.length ? (
              <div class="menu" role="menu">
                {others.map((t) => (
                  <button key={t.id} type="button" role="menuitem" class="menu-item" onClick={() => { onChange([...ids, t.id]); close() }}>
                    <TagPill tag={t} />
                  </button>
                ))}
              </div>
            ) : (
              <p class="muted small pad">{tags.length ? 'Every tag is in this condition already.' : 'No tags yet: tag a user first.'}</p>
            )
          }
        </Popover>
      )}
    </span>
  )
}
