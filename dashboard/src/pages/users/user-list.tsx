// The list itself: "X users found", the rows, keyset pagination (F-20, F-21).
import { useRef, useState } from 'preact/hooks'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { IconChevronLeft, IconChevronRight, IconUsers } from '../../components/icons'
import { Empty, ErrorState, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import type { UserRow as Row } from '../../api-types'
import { displayName, formatNumber } from '../../format'
import { setQuery } from '../../router'
import { bump, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'
import { UserRow } from './user-row'
import type { StatusFilter } from './users-page'

const PAGE = 50

interface Props { search: string; match: 'prefix' | 'contains'; status: StatusFilter; filter: string; openPk: number | null }

export function UserList({ search, match, status, filter, openPk }: Props) {
  const api = useApi()
  // cursors[i] is where page i starts; page 0 starts at the top.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const [page, setPage] = useState(0)
  const [deleting, setDeleting] = useState<Row | null>(null)
  const list = useResource(
    () => api.users({ q: search || undefined, match, status, filter: filter || undefined, limit: PAGE, after: cursors[page] }),
    [api, search, match, status, filter, page, versions.users.value],
  )

  const top = useRef<HTMLElement>(null)
  // A new page starts at its first row, not where the pager button was.
  const go = (to: number) => {
    setPage(to)
    top.current?.scrollIntoView({ block: 'start' })
  }
  const next = () => {
    if (!list.data?.next) return
    setCursors([...cursors.slice(0, page + 1), list.data.next])
    go(page + 1)
  }

  if (list.error && !list.data) return <ErrorState error={list.error} retry={list.reload} title="Could not load users" />
  const data = list.data
  const filtered = !!(search || filter || status !== 'active')

  return (
    <section class="user-list" aria-label="Users" aria-busy={list.loading} ref={top}>
      <div class="list-head">
        <p class="count" aria-live="polite">
          {data ? <strong data-testid="users-found">{formatNumber(data.total)} {data.total === 1 ? 'user' : 'users'} found</strong> : <span class="muted">Counting…</span>}
        </p>
        {list.loading && data && <span class="spinner small" aria-hidden="true" />}
        {list.error && data && <span class="form-error">Could not refresh: {list.error.message}</span>}
      </div>
      {!data ? (
        <Loading label="Loading users…" />
      ) : data.users.length === 0 ? (
        <Empty title={filtered ? 'No users match' : 'No users yet'} icon={<IconUsers size={28} />}>
          {filtered ? (
            <p>Nobody matches this search or filter. Try fewer conditions, or “Contains” instead of “Starts with”.</p>
          ) : (
            <p>Users appear here once a page with the Jimer snippet loads. Paste the snippet from <strong>Settings</strong>, or add one with “New user”.</p>
          )}
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="table users-table">
            <thead>
              <tr>
                <th class="col-name">Name / Id</th>
                <th class="col-email">Email</th>
                <th class="col-activity">Last activity</th>
                <th class="col-tags">Tags</th>
                <th class="col-actions"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => (
                <UserRow key={u.id} user={u} selected={u.id === openPk} onDelete={() => setDeleting(u)} onTagsChanged={() => bump('users')} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && (page > 0 || data.next) && (
        <nav class="pager" aria-label="Pages">
          <button type="button" class="btn btn-secondary btn-sm" disabled={page === 0} onClick={() => go(page - 1)}>
            <IconChevronLeft size={14} /> Previous
          </button>
          <span class="muted">
            {formatNumber(page * PAGE + 1)}–{formatNumber(page * PAGE + data.users.length)} of {formatNumber(data.total)}
          </span>
          <button type="button" class="btn btn-secondary btn-sm" disabled={!data.next} onClick={next}>
            Next <IconChevronRight size={14} />
          </button>
        </nav>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this user?"
          confirmLabel="Delete permanently"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteUser(deleting.id)
            if (openPk === deleting.id) setQuery({ user: undefined, tab: undefined })
            bump('users', 'segments')
            toast(`${displayName(deleting)} deleted`)
          }}
        >
          <p>
            <strong>{displayName(deleting)}</strong> and all their data (attributes, events, devices, tags, survey responses and segment
            memberships) will be removed. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}
