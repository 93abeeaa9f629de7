// One user in the list. Hover: the name turns blue, the red trash shows, the tag button
// stands out (F-22). A click anywhere opens the profile; the name is a real link for the keyboard.
import type { UserRow as Row } from '../../api-types'
import { Avatar } from '../../components/avatar'
import { IconPlus, IconTrash } from '../../components/icons'
import { RelativeTime } from '../../components/relative-time'
import { TagPicker } from '../../components/tag-picker'
import { TagPill } from '../../components/tag-pill'
import { displayName, isIdentified, jimerShort } from '../../format'
import { setQuery, withQuery } from '../../router'
import { canEdit } from '../../session'

export function UserRow({ user, selected, onDelete, onTagsChanged }: { user: Row; selected: boolean; onDelete: () => void; onTagsChanged: () => void }) {
  const open = () => setQuery({ user: String(user.id), tab: undefined })
  const identified = isIdentified(user)
  const secondary = identified ? (user.name ? user.userId : null) : jimerShort(user.anonymousId)
  return (
    <tr class={selected ? 'user-row selected' : 'user-row'} onClick={open} data-user-id={user.userId ?? ''}>
      <td class="col-name">
        <div class="who">
          <Avatar id={String(user.id)} name={user.name} />
          <div class="who-text">
            <a class="user-name" href={withQuery({ user: String(user.id), tab: undefined })} onClick={(e) => e.stopPropagation()}>
              {identified ? displayName(user) : 'Anonymous'}
            </a>
            {secondary && <span class="muted small mono">{secondary}</span>}
          </div>
          {user.status === 'disabled' && <span class="badge">Disabled</span>}
        </div>
      </td>
      <td class="col-email">{user.email ? <span class="ellipsis">{user.email}</span> : <span class="muted">none</span>}</td>
      <td class="col-activity"><RelativeTime ms={user.lastSeen} /></td>
      <td class="col-tags" onClick={(e) => e.stopPropagation()}>
        <div class="tags-cell">
          {user.tags.slice(0, 3).map((t) => <TagPill key={t.id} tag={t} />)}
          {user.tags.length > 3 && <span class="muted small" title={user.tags.slice(3).map((t) => t.name).join(', ')}>+{user.tags.length - 3}</span>}
          {canEdit.value && (
            <TagPicker userPk={user.id} current={user.tags} onChange={onTagsChanged} label={<IconPlus size={14} />} buttonClass="tag-add" ariaLabel={`Add a tag to ${displayName(user)}`} />
          )}
        </div>
      </td>
      <td class="col-actions" onClick={(e) => e.stopPropagation()}>
        {canEdit.value && (
          <button type="button" class="icon-btn trash" aria-label={`Delete ${displayName(user)}`} title="Delete user" onClick={onDelete}>
            <IconTrash />
          </button>
        )}
      </td>
    </tr>
  )
}
