// The Users tab (F-20…F-25). Search, filter and the open profile live in the URL, so a
// view can be shared and the back button works.
import { useEffect, useRef, useState } from 'preact/hooks'
import { IconPlus } from '../../components/icons'
import { projectPath, query, setQuery } from '../../router'
import { canEdit, project } from '../../session'
import { HubHeader } from '../hub-header'
import { ProfilePanel } from '../profile/profile-panel'
import { FilterPanel } from './filter-panel'
import { NewUserDialog } from './new-user-dialog'
import { SearchBox } from './search-box'
import { UserList } from './user-list'

export type StatusFilter = 'active' | 'disabled' | 'all'

export function UsersPage() {
  const q = query.value
  const search = q.get('q') ?? ''
  const match = q.get('match') === 'prefix' ? 'prefix' : 'contains'
  const status = (['disabled', 'all'].includes(q.get('status') ?? '') ? q.get('status') : 'active') as StatusFilter
  const filter = q.get('filter') ?? ''
  const open = Number(q.get('user')) || null
  const [creating, setCreating] = useState(false)
  // A new search or filter starts again at page one: the page's cursor belongs to the old one.
  const listKey = `${search}|${match}|${status}|${filter}`
  const shownKey = useRef(listKey)
  useEffect(() => {
    if (shownKey.current === listKey) return
    shownKey.current = listKey
    if (q.get('after')) setQuery({ page: undefined, after: undefined }, { replace: true })
  }, [listKey])

  return (
    <>
      <HubHeader active="users" />
      <div class={open ? 'users-page with-panel' : 'users-page'}>
        <div class="toolbar">
          <SearchBox value={search} match={match} onChange={(v, m) => setQuery({ q: v, match: m === 'contains' ? undefined : m }, { replace: true })} />
          <select class="select" aria-label="Show users" value={status} onChange={(e) => setQuery({ status: e.currentTarget.value === 'active' ? undefined : e.currentTarget.value })}>
            <option value="active">Active users</option>
            <option value="disabled">Disabled users</option>
            <option value="all">All users</option>
          </select>
          <span class="spacer" />
          <a class="btn btn-ghost" href={projectPath(project.value!.id, 'users/duplicates')}>Duplicates</a>
          {canEdit.value && (
            <button type="button" class="btn btn-secondary" onClick={() => setCreating(true)}>
              <IconPlus size={15} /> New user
            </button>
          )}
        </div>
        <FilterPanel applied={filter} />
        {/* Keyed by the query: a new search or filter starts again at page one. */}
        <UserList key={listKey} search={search} match={match} status={status} filter={filter} openPk={open} />
      </div>
      {open && <ProfilePanel key={open} pk={open} />}
      {creating && <NewUserDialog onClose={() => setCreating(false)} onCreated={(pk) => { setCreating(false); setQuery({ user: String(pk), tab: undefined }) }} />}
    </>
  )
}
