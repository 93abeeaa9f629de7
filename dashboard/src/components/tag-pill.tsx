import type { Tag } from '../api-types'
import { IconX } from './icons'

/** A coloured tag label; with onRemove, a small × takes it off. */
export function TagPill({ tag, onRemove }: { tag: Pick<Tag, 'name' | 'color'>; onRemove?: () => void }) {
  return (
    <span class="tag-pill" style={{ color: tag.color, borderColor: `${tag.color}55`, background: `${tag.color}14` }}>
      <span class="tag-dot" style={{ background: tag.color }} />
      {tag.name}
      {onRemove && (
        <button type="button" class="tag-remove" aria-label={`Remove tag ${tag.name}`} onClick={(e) => { e.stopPropagation(); onRemove() }}>
          <IconX size={12} />
        </button>
      )}
    </span>
  )
}
