// The list itself: "X users found", the rows, keyset pagination (F-20, F-21). The page is in
// the URL (`page`, and `after`, the keyset cursor it starts at), so a reload or a shared link
// opens the same page.
import { useRef, useState } from 'preact/hooks'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { IconChevronLeft, IconChevronRight, IconUsers } from '../../components/icons'
import { Empty, ErrorState, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import type { UserRow as Row } from '../../api-types'
import { displayName, formatNumber } from '../../format'
import { query, setQuery } from '../../router'
import { bump, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'
import { UserRow } from './user-row'
import type { StatusFilter } from './users-page'

const PAGE = 50

interface Props { search: string; match: 'prefix' | 'contains'; status: StatusFilter; filter: string; openPk: number | null }

export function UserList({ search, match, status, filter, openPk }: Props) {
  const api = useApi()
  // page 0 starts at the top; page i (shown as i + 1) at the cursor in the URL.
  const after = query.value.get('after') || undefined
  const page = after ? Math.max(1, (Number(query.value.get('page')) || 2) - 1) : 0
  // Where the pages seen in this visit start, for "Previous" (a cursor only reads forward).
  const [cursors] = useState(() => new Map<number, string | undefined>([[0, undefined], [page, after]]))
  const [deleting, setDeleting] = useState<Row | null>(null)
  const list = useResource(
    () => api.users({ q: search || undefined, match, status, filter: filter || undefined, limit: PAGE, after }),
    [api, search, match, status, filter, after, versions.users.value],
  )

  const top = useRef<HTMLElement>(null)
  // A new page starts at its first row, not where the pager button was.
  const go = (to: number) => {
    const cursor = cursors.get(to)
    setQuery(to === 0 || cursor === undefined ? { page: undefined, after: undefined } : { page: String(to + 1), after: cursor })
    top.current?.scrollIntoView({ block: 'start' })
  }
  const next = () => {
    if (!list.data?.next) return
    cursors.set(page + 1, list.data.next)
    go(page + 1)
  }
  // Opened at a page from a link: the one before it is unknown, so back to the first.
  const previousKnown = page === 0 || cursors.has(page - 1)

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
          <button type="button" class="btn btn-secondary btn-sm" disabled={page === 0} onClick={() => go(previousKnown ? page - 1 : 0)}>
            <IconChevronLeft size={14} /> {previousKnown ? 'Previous' : 'First page'}
          </button>
          <span class="muted" data-testid="page-range">
            Page {formatNumber(page + 1)} ·{' '}
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
