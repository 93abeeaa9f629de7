// The panel header (F-30): avatar, name, Jimer ID with copy, user id, "Tag user", and the
// actions on the whole profile (edit, disable / activate, export, delete).
import { useState } from 'preact/hooks'
import type { Profile } from '../../api-types'
import { Avatar } from '../../components/avatar'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { CopyButton } from '../../components/copy-button'
import { IconDownload, IconEdit, IconMore, IconTag, IconTrash } from '../../components/icons'
import { MenuItem, Popover } from '../../components/popover'
import { TagPicker } from '../../components/tag-picker'
import { TagPill } from '../../components/tag-pill'
import { toast } from '../../components/toast'
import { displayName, isIdentified, jimerShort } from '../../format'
import { setQuery } from '../../router'
import { bump, canEdit, useApi } from '../../session'
import { EditUserDialog } from './edit-user-dialog'
import { exportProfile } from './export-profile'

export function ProfileHeader({ profile }: { profile: Profile }) {
  const api = useApi()
  const [editing, setEditing] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const name = isIdentified(profile) ? displayName(profile) : 'Anonymous'
  const changed = () => bump('users', 'segments')

  const setStatus = async (status: 'active' | 'disabled') => {
    try {
      await api.updateUser(profile.id, { status })
      changed()
      toast(status === 'disabled' ? `${name} disabled: hidden from lists and targeting` : `${name} is active again`)
    } catch (e) {
      setError((e as Error).message)
    }
  }
  const download = () => exportProfile(api, profile)

  return (
    <header class="profile-head">
      <Avatar id={String(profile.id)} name={profile.name} size={48} />
      <div class="profile-id">
        <h2 class="profile-name">
          {name}
          {profile.status === 'disabled' && <span class="badge">Disabled</span>}
        </h2>
        {profile.anonymousId && (
          <div class="id-line">
            <span class="muted">Jimer ID</span>
            <span class="mono" title={profile.anonymousId}>{isIdentified(profile) ? profile.anonymousId : jimerShort(profile.anonymousId)}</span>
            <CopyButton text={profile.anonymousId} label="Copy Jimer ID" />
          </div>
        )}
        {profile.userId && (
          <div class="id-line">
            <span class="muted">User id</span>
            <span class="mono">{profile.userId}</span>
            <CopyButton text={profile.userId} label="Copy user id" />
          </div>
        )}
        {profile.email && <div class="id-line"><span class="muted">Email</span><span>{profile.email}</span></div>}
        {profile.tags.length > 0 && (
          <div class="tags-line">
            {profile.tags.map((t) => (
              <TagPill key={t.id} tag={t} onRemove={canEdit.value ? () => void api.untagUser(profile.id, t.id).then(changed, (e) => setError(e.message)) : undefined} />
            ))}
          </div>
        )}
        {error && <p class="form-error" role="alert">{error}</p>}
      </div>
      <div class="profile-actions">
        {canEdit.value && <TagPicker userPk={profile.id} current={profile.tags} onChange={changed} label={<><IconTag size={14} /> Tag user</>} buttonClass="btn btn-secondary btn-sm" align="right" />}
        <Popover label={<IconMore />} ariaLabel="More actions" buttonClass="icon-btn bordered" align="right">
          {(close) => (
            <div class="menu" role="menu">
              {canEdit.value && <MenuItem onSelect={() => { close(); setEditing(true) }}><IconEdit size={14} /> Edit properties</MenuItem>}
              {canEdit.value && (
                <MenuItem onSelect={() => { close(); void setStatus(profile.status === 'active' ? 'disabled' : 'active') }}>
                  {profile.status === 'active' ? 'Disable user' : 'Activate user'}
                </MenuItem>
              )}
              <MenuItem onSelect={() => { close(); download() }}><IconDownload size={14} /> Export JSON</MenuItem>
              {canEdit.value && <div class="menu-sep" />}
              {canEdit.value && <MenuItem danger onSelect={() => { close(); setDeleting(true) }}><IconTrash size={14} /> Delete permanently</MenuItem>}
            </div>
          )}
        </Popover>
      </div>
      {editing && <EditUserDialog profile={profile} onClose={() => setEditing(false)} onSaved={() => { setEditing(false); changed() }} />}
      {deleting && (
        <ConfirmDialog
          title="Delete this user permanently?"
          confirmLabel="Delete permanently"
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.deleteUser(profile.id)
            setQuery({ user: undefined, tab: undefined })
            bump('users', 'segments')
            toast(`${name} deleted`)
          }}
        >
          <p><strong>{name}</strong> and all their data (attributes, events, devices, tags, survey responses, segment memberships) will be removed. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </header>
  )
}
