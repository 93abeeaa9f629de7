// Members and invitations (F-70): who is in the project with which role; admins invite by
// email (a link to copy, since a self-hosted install may send no mail), change roles,
// remove members and revoke pending invitations.
import { useState } from 'preact/hooks'
import type { Member, NewInvitation, Role } from '../../api-types'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { CopyButton } from '../../components/copy-button'
import { IconTrash } from '../../components/icons'
import { RelativeTime } from '../../components/relative-time'
import { ErrorState, FormError, Loading } from '../../components/states'
import { isAdmin, loadMe, me, useApi } from '../../session'
import { useResource } from '../../use-resource'

const ROLES: Role[] = ['admin', 'editor', 'viewer']

export function MembersCard() {
  const api = useApi()
  const members = useResource(() => api.teamMembers(), [api])
  const invitations = useResource(() => (isAdmin.value ? api.invitations() : Promise.resolve({ invitations: [] })), [api])
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  const [made, setMade] = useState<NewInvitation | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [removing, setRemoving] = useState<Member | null>(null)
  const run = async (work: () => Promise<unknown>) => {
    setError(null)
    try {
      await work()
      members.reload()
      invitations.reload()
    } catch (e) {
      setError((e as Error).message)
      members.reload()
    }
  }
  const invite = (e: Event) => {
    e.preventDefault()
    void run(async () => {
      setMade(await api.invite(email.trim(), role))
      setEmail('')
    })
  }
  const self = me.value?.account.id
  return (
    <section class="card stack" aria-labelledby="members-title">
      <h2 class="section-title" id="members-title">Members</h2>
      {members.error ? <ErrorState error={members.error} retry={members.reload} /> : !members.data ? <Loading inline /> : (
        <table class="table compact">
          <thead><tr><th>Email</th><th>Role</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {members.data.members.map((m) => (
              <tr key={m.accountId} data-testid="member-row">
                <td>{m.email}{m.accountId === self && <span class="muted small"> (you)</span>}</td>
                <td>
                  {isAdmin.value ? (
                    <select class="select" aria-label={`Role of ${m.email}`} value={m.role}
                      onChange={(e) => { const r = e.currentTarget.value as Role; void run(async () => { await api.setRole(m.accountId, r); if (m.accountId === self) await loadMe() }) }}>
                      {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                    </select>
                  ) : <span class={`role-badge ${m.role}`}>{m.role}</span>}
                </td>
                <td>{isAdmin.value && <button type="button" class="icon-btn trash" aria-label={`Remove ${m.email}`} onClick={() => setRemoving(m)}><IconTrash /></button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin.value && (
        <>
          <form class="inline-form" onSubmit={invite}>
            <input class="input" type="email" required aria-label="Email to invite" placeholder="colleague@example.com" maxLength={320} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            <select class="select" aria-label="Role to invite as" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
            <button class="btn btn-primary" type="submit" disabled={!email.trim()}>Invite</button>
          </form>
          {made && (
            <div class="notice stack" role="status">
              <p>Invitation for <strong>{made.email}</strong> ({made.role}){made.emailed ? ' sent by email. You can also copy the link:' : '. Send them this link; it works once, for 7 days:'}</p>
              <div class="inline-form">
                <input class="input mono" readOnly aria-label="Invitation link" value={made.url} />
                <CopyButton text={made.url} label="Copy link" />
              </div>
            </div>
          )}
          <h3 class="subsection-title">Pending invitations</h3>
          {invitations.error ? <ErrorState error={invitations.error} retry={invitations.reload} /> : !invitations.data ? <Loading inline /> : invitations.data.invitations.length === 0 ? (
            <p class="muted small">No pending invitations.</p>
          ) : (
            <table class="table compact">
              <thead><tr><th>Email</th><th>Role</th><th>Invited by</th><th>Expires</th><th><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {invitations.data.invitations.map((i) => (
                  <tr key={i.id} data-testid="invitation-row">
                    <td>{i.email}</td><td>{i.role}</td><td>{i.invitedBy ?? '—'}</td><td><RelativeTime ms={i.expiresAt} /></td>
                    <td><button type="button" class="btn btn-ghost btn-sm" onClick={() => void run(() => api.revokeInvitation(i.id))}>Revoke</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <FormError error={error} />
      {removing && (
        <ConfirmDialog title={`Remove ${removing.email}?`} confirmLabel="Remove" danger onClose={() => setRemoving(null)}
          onConfirm={async () => { await api.removeTeamMember(removing.accountId); members.reload(); if (removing.accountId === self) await loadMe() }}>
          <p>They lose access to this project at once. Their account stays, with any other projects.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
