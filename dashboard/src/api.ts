// The only module that talks to the server. Same origin, the session cookie rides along;
// changes are JSON, so the server's CSRF check (Origin + JSON) passes.
import { signal } from '@preact/signals'
import type {
  ApiToken, AttributeDefinition, AuditEntry, AuditQuery, Catalog, Invitation, InvitationInfo, Member, NewInvitation, ProjectRef, Role, TokenScope, ChunkResult, DailyCounts, DuplicateGroup, EventPage, EventQuery, Explanation, Impact, ImportInput, ImportView, Me, MemberRow, Membership, MergeRecord, Preview,
  Profile, Segment, SegmentInput, SegmentVersion, Settings, SimulatedProfile, SimulatedSegment, Tag, UserPage, UserQuery, Verification, UserLedgerRow, SegmentLedgerRow, LedgerDaily, Webhook, WebhookDelivery, WebhookInput,
} from './api-types'
import type { ConditionTree } from './condition-model'

/** What the server said went wrong: `{error: {code, message, field}}`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message)
  }
}

/** Set when any call finds the session gone, so the app can show the sign-in page. */
export const sessionLost = signal(false)

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // Every change says JSON, even a DELETE without a body: the server refuses other types (CSRF).
      headers: method === 'GET' ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.')
  }
  if (res.status === 204) return undefined as T
  const data = await res.json().catch(() => null)
  if (!res.ok) {
    const e = data?.error ?? {}
    if (res.status === 401 && !path.startsWith('/api/auth/')) sessionLost.value = true
    throw new ApiError(res.status, e.code ?? 'http_' + res.status, e.message ?? `The server answered ${res.status}.`, e.field)
  }
  return data as T
}

const qs = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v))
  const text = s.toString()
  return text ? '?' + text : ''
}
const enc = encodeURIComponent

export const auth = {
  /** The signed-in account, or null (asked so that signed out is a 200, not a console error). */
  me: () => call<Me | { account: null }>('GET', '/api/auth/me?optional=1').then((r) => (r.account ? (r as Me) : null)),
  login: (email: string, password: string) => call<Me>('POST', '/api/auth/login', { email, password }),
  logout: () => call<void>('POST', '/api/auth/logout'),
  logoutEverywhere: () => call<void>('POST', '/api/auth/logout-everywhere'),
  changePassword: (currentPassword: string, newPassword: string) => call<void>('POST', '/api/auth/password', { currentPassword, newPassword }),
}

/** The signed-in account's projects, and invitation links (which need no project). */
export const account = {
  projects: () => call<{ projects: ProjectRef[] }>('GET', '/api/projects'),
  createProject: (name: string) => call<ProjectRef>('POST', '/api/projects', { name }),
  renameProject: (id: string, name: string) => call<{ id: string; name: string }>('PATCH', `/api/projects/${enc(id)}`, { name }),
  deleteProject: (id: string, confirm: string) => call<void>('DELETE', `/api/projects/${enc(id)}`, { confirm }),
  lookupInvitation: (token: string) => call<InvitationInfo>('POST', '/api/invitations/lookup', { token }),
  acceptInvitation: (token: string, password?: string) =>
    call<{ project: ProjectRef }>('POST', '/api/invitations/accept', password === undefined ? { token } : { token, password }),
}

/** Every call about one project. */
export function projectApi(projectId: string) {
  const p = `/api/projects/${enc(projectId)}`
  return {
    projectId,
    users: (q: UserQuery) => call<UserPage>('GET', `${p}/users${qs({ ...q })}`),
    createUser: (body: { userId: string; email?: string; name?: string; attributes?: Record<string, unknown> }) => call<{ id: number }>('POST', `${p}/users`, body),
    user: (pk: number) => call<Profile>('GET', `${p}/users/${pk}`),
    updateUser: (pk: number, body: { email?: string | null; name?: string | null; status?: 'active' | 'disabled'; attributes?: Record<string, unknown> }) =>
      call<void>('PATCH', `${p}/users/${pk}`, body),
    deleteUser: (pk: number) => call<void>('DELETE', `${p}/users/${pk}`),
    duplicates: () => call<{ groups: DuplicateGroup[] }>('GET', `${p}/duplicates`),
    mergeUsers: (keepPk: number, mergePk: number) => call<{ id: number }>('POST', `${p}/users/merge`, { keepPk, mergePk }),
    merges: () => call<{ merges: MergeRecord[] }>('GET', `${p}/merges`),
    undoMerge: (id: number) => call<void>('POST', `${p}/merges/${id}/undo`, {}),
    events: (pk: number, q: EventQuery) => call<EventPage>('GET', `${p}/users/${pk}/events${qs({ ...q })}`),
    daily: (pk: number, days: 7 | 30 | 90) => call<DailyCounts>('GET', `${p}/users/${pk}/events/daily?days=${days}`),
    memberships: (pk: number) => call<{ segments: Membership[] }>('GET', `${p}/users/${pk}/segments`),
    segmentHistory: (pk: number) => call<{ history: UserLedgerRow[] }>('GET', `${p}/users/${pk}/segment-history`),
    ledger: (segmentId: number, before?: number) => call<{ changes: SegmentLedgerRow[]; next: number | null }>('GET', `${p}/segments/${segmentId}/ledger${qs({ before })}`),
    ledgerDaily: (segmentId: number, days: 7 | 30 | 90) => call<LedgerDaily>('GET', `${p}/segments/${segmentId}/ledger/daily?days=${days}`),
    explain: (pk: number, segmentId: number) => call<Explanation>('GET', `${p}/users/${pk}/explain/${segmentId}`),

    tags: () => call<{ tags: Tag[] }>('GET', `${p}/tags`),
    createTag: (name: string, color?: string) => call<Tag>('POST', `${p}/tags`, { name, color }),
    updateTag: (id: number, body: { name?: string; color?: string }) => call<void>('PATCH', `${p}/tags/${id}`, body),
    deleteTag: (id: number) => call<void>('DELETE', `${p}/tags/${id}`),
    tagUser: (pk: number, tag: { tagId: number } | { name: string }) => call<Tag>('POST', `${p}/users/${pk}/tags`, tag),
    untagUser: (pk: number, tagId: number) => call<void>('DELETE', `${p}/users/${pk}/tags/${tagId}`),

    segments: () => call<{ segments: Segment[] }>('GET', `${p}/segments`),
    segment: (id: number) => call<Segment>('GET', `${p}/segments/${id}`),
    createSegment: (body: SegmentInput) => call<Segment>('POST', `${p}/segments`, body),
    updateSegment: (id: number, body: SegmentInput) => call<Segment>('PATCH', `${p}/segments/${id}`, body),
    duplicateSegment: (id: number) => call<Segment>('POST', `${p}/segments/${id}/duplicate`, {}),
    deleteSegment: (id: number) => call<void>('DELETE', `${p}/segments/${id}`),
    preview: (conditions: ConditionTree) => call<Preview>('POST', `${p}/segments/preview`, { conditions }),
    segmentVersions: (id: number) => call<{ versions: SegmentVersion[] }>('GET', `${p}/segments/${id}/versions`),
    impact: (id: number, conditions: ConditionTree) => call<Impact>('POST', `${p}/segments/${id}/impact`, { conditions }),
    simulate: (profile: SimulatedProfile) => call<{ evaluatedAt: number; segments: SimulatedSegment[] }>('POST', `${p}/simulate`, { profile }),
    members: (id: number, after?: number) => call<{ members: MemberRow[]; next: number | null }>('GET', `${p}/segments/${id}/members${qs({ after })}`),
    addMembers: (id: number, body: { ids?: number[]; userIds?: string[]; emails?: string[] }) =>
      call<{ added: number; notFound: string[] }>('POST', `${p}/segments/${id}/members`, body),
    removeMember: (id: number, pk: number) => call<void>('DELETE', `${p}/segments/${id}/members/${pk}`),
    /** Links, not calls: the browser downloads the streamed file with the session cookie. */
    segmentExportUrl: (id: number, format: 'csv' | 'parquet', columns: string[]) =>
      `${p}/segments/${id}/export${qs({ format, columns: columns.some((c) => c.includes(',')) ? JSON.stringify(columns) : columns.join(',') })}`,
    userExportUrl: (pk: number) => `${p}/users/${pk}/export`,

    settings: () => call<Settings>('GET', `${p}/settings`),
    updateSettings: (body: { name?: string; allowedOrigins?: string[]; verification?: Verification }) => call<void>('PATCH', `${p}/settings`, body),
    rotate: (key: 'write' | 'secret') => call<{ writeKey?: string; secretKey?: string }>('POST', `${p}/settings/rotate`, { key }),
    catalog: () => call<Catalog>('GET', `${p}/catalog`),
    attributes: () => call<{ attributes: AttributeDefinition[] }>('GET', `${p}/attributes`),
    createAttribute: (body: AttributeDefinition) => call<AttributeDefinition>('POST', `${p}/attributes`, body),
    updateAttribute: (key: string, body: { readable?: boolean }) => call<void>('PATCH', `${p}/attributes/${enc(key)}`, body),
    deleteAttribute: (key: string) => call<void>('DELETE', `${p}/attributes/${enc(key)}`),

    imports: () => call<{ imports: ImportView[] }>('GET', `${p}/imports`),
    import: (id: number) => call<ImportView>('GET', `${p}/imports/${id}`),
    createImport: (body: ImportInput) => call<ImportView>('POST', `${p}/imports`, body),
    /** Idempotent per seq: sending a chunk again after a network error changes nothing. */
    sendChunk: (id: number, seq: number, body: { rows: string[][]; firstRow?: number; rowNumbers?: number[]; syntaxErrors?: { row: number; reason: string }[] }) => call<ChunkResult>('PUT', `${p}/imports/${id}/chunks/${seq}`, body),
    finishImport: (id: number) => call<ImportView>('POST', `${p}/imports/${id}/finish`, {}),
    failImport: (id: number, reason: string) => call<ImportView>('POST', `${p}/imports/${id}/fail`, { reason }),
    /** A link, not a call: the browser downloads the file with the session cookie. */
    importErrorsUrl: (id: number) => `${p}/imports/${id}/errors.csv`,

    teamMembers: () => call<{ members: Member[] }>('GET', `${p}/members`),
    setRole: (accountId: string, role: Role) => call<Member>('PATCH', `${p}/members/${enc(accountId)}`, { role }),
    removeTeamMember: (accountId: string) => call<void>('DELETE', `${p}/members/${enc(accountId)}`),
    invitations: () => call<{ invitations: Invitation[] }>('GET', `${p}/invitations`),
    invite: (email: string, role: Role) => call<NewInvitation>('POST', `${p}/invitations`, { email, role }),
    revokeInvitation: (id: string) => call<void>('DELETE', `${p}/invitations/${enc(id)}`),
    tokens: () => call<{ tokens: ApiToken[] }>('GET', `${p}/tokens`),
    createToken: (name: string, scope: TokenScope) => call<ApiToken & { token: string }>('POST', `${p}/tokens`, { name, scope }),
    revokeToken: (id: string) => call<void>('DELETE', `${p}/tokens/${enc(id)}`),
    webhooks: () => call<{ webhooks: Webhook[] }>('GET', `${p}/webhooks`),
    createWebhook: (body: WebhookInput) => call<Webhook & { secret: string }>('POST', `${p}/webhooks`, body),
    updateWebhook: (id: string, body: WebhookInput) => call<Webhook>('PATCH', `${p}/webhooks/${enc(id)}`, body),
    deleteWebhook: (id: string) => call<void>('DELETE', `${p}/webhooks/${enc(id)}`),
    rotateWebhookSecret: (id: string) => call<{ secret: string }>('POST', `${p}/webhooks/${enc(id)}/rotate`, {}),
    webhookDeliveries: (id: string, before?: number) => call<{ deliveries: WebhookDelivery[]; next: number | null }>('GET', `${p}/webhooks/${enc(id)}/deliveries${qs({ before })}`),
    replayDelivery: (id: string, deliveryId: number) => call<WebhookDelivery>('POST', `${p}/webhooks/${enc(id)}/deliveries/${deliveryId}/replay`, {}),
    audit: (q: AuditQuery) => call<{ entries: AuditEntry[]; next: number | null }>('GET', `${p}/audit${qs({ ...q })}`),
  }
}

export type ProjectApi = ReturnType<typeof projectApi>
