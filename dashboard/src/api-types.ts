// The shapes the admin API answers with (worker/src/routes/*), as the dashboard reads them.
import type { ConditionTree } from './condition-model'
import type { Column, MatchBy } from '../../worker/src/imports/convert'

export type Role = 'viewer' | 'editor' | 'admin'
export interface ProjectRef { id: string; name: string; role: Role }
export interface Me { account: { id: string; email: string }; projects: ProjectRef[] }

export interface Tag { id: number; name: string; color: string; users?: number }

export interface UserRow {
  id: number
  userId: string | null
  anonymousId: string | null
  email: string | null
  name: string | null
  status: 'active' | 'disabled'
  lastSeen: number
  tags: Tag[]
}
export interface UserPage { total: number; users: UserRow[]; next: string | null }
export interface UserQuery { q?: string; match?: 'prefix' | 'contains'; filter?: string; status?: 'active' | 'disabled' | 'all'; limit?: number; after?: string }

export interface Attribute { name: string; value: unknown; source: string; updatedAt: number | null }
export interface Device {
  jimerId: string; browser: string | null; browserVersion: string | null; os: string | null; osVersion: string | null
  deviceType: string | null; language: string | null; timezone: string | null; screen: string | null; firstSeen: number; lastSeen: number
}
export interface Profile {
  id: number; userId: string | null; anonymousId: string | null; email: string | null; name: string | null; status: 'active' | 'disabled'
  createdAt: number; firstSeen: number; lastSeen: number; sessions: number; eventsCount: number; experiencesSeen: number
  stats: { events: number; eventTypes: number }
  attributes: Attribute[]; devices: Device[]; tags: Tag[]
}
export interface UserEvent { id: number; type: string; name: string | null; properties: Record<string, unknown>; context: Record<string, unknown>; timestamp: number }
export interface EventPage { events: UserEvent[]; next: string | null }
export interface EventQuery { type?: string; from?: number; to?: number; limit?: number; before?: string }
export interface DailyCounts { days: { day: string; count: number }[] }

/** The membership ledger: every entry and exit, when and why (cause: ingest, tag, import, edit, schedule, merge…). */
export interface UserLedgerRow { id: number; segment: { id: number; name: string; kind: 'dynamic' | 'static' }; entered: boolean; at: number; cause: string }
export interface SegmentLedgerRow { id: number; user: { id: number; userId: string | null; email: string | null; name: string | null; lastSeen: number }; entered: boolean; at: number; cause: string }
export interface LedgerDaily { days: { day: string; entered: number; left: number }[] }
export interface Membership { id: number; name: string; kind: 'dynamic' | 'static'; key: string; enteredAt: number; computedAt: number }

export interface ExplainLeaf { kind: 'leaf'; label: string; actual: unknown; threshold: unknown; pass: boolean }
export interface ExplainGroup { kind: 'group'; logic: 'and' | 'or'; pass: boolean; decision: string; children: (ExplainLeaf | ExplainGroup)[] }
export interface Explanation {
  segment: { id: number; name: string; kind: 'dynamic' | 'static' }
  member: boolean; evaluatedAt: number; explanation: ExplainGroup | null; reason: string
}

export interface Segment {
  id: number; name: string; description: string; kind: 'dynamic' | 'static'; key: string; targetable: boolean
  conditions: ConditionTree | null; memberCount: number; computedAt: number | null; usedBy: { id: number; name: string }[]
}
export interface SegmentInput { name?: string; description?: string; kind?: 'dynamic' | 'static'; conditions?: ConditionTree; targetable?: boolean; key?: string }
export interface MemberRow { id: number; userId: string | null; email: string | null; name: string | null; lastSeen: number; enteredAt: number; computedAt: number }
export interface Preview { count: number; sample: { id: number; userId: string | null; email: string | null; name: string | null; lastSeen: number }[] }

/** The simulator's made-up profile (worker/src/segments/simulate.ts); times as {daysAgo}. */
export interface SimulatedProfile {
  userId?: string | null; email?: string | null; name?: string | null; status?: 'active' | 'disabled'
  lastSeen?: { daysAgo: number }; firstSeen?: { daysAgo: number }; sessions?: number
  attributes?: Record<string, unknown>; tags?: (number | string)[]
  events?: { name: string; count?: number; at?: { daysAgo: number }; properties?: Record<string, unknown> }[]
  experiences?: { experience: string; action: 'seen' | 'completed' | 'dismissed' | 'answered'; answer?: string }[]
  segments?: number[]
}
export interface SimulatedSegment {
  id: number; name: string; kind: 'dynamic' | 'static'; key: string; targetable: boolean
  member: boolean; reason: string; explanation: ExplainGroup | null
}

/** One saved version of a segment (worker/src/segments/history.ts). */
export interface SegmentVersion {
  id: number; at: number; actor: string
  name: string; description: string; kind: 'dynamic' | 'static'; conditions: ConditionTree | null; targetable: boolean; key: string
  memberCount: number
}
export interface DuplicateUser { id: number; userId: string | null; email: string | null; name: string | null; firstSeen: number; lastSeen: number; eventsCount: number; sessions: number }
export interface DuplicateGroup { reasons: string[]; users: DuplicateUser[] }
export interface MergeRecord {
  id: number; at: number; actor: string; undoneAt: number | null; undoableUntil: number
  kept: { id: number; userId: string | null; email: string | null; name: string | null }
  merged: { id: number; userId: string | null; email: string | null; name: string | null }
}
export interface ImpactUser { id: number; userId: string | null; email: string | null; name: string | null }
/** What saving a draft would change (worker/src/segments/impact.ts). */
export interface Impact {
  entering: number; leaving: number; enteringSample: ImpactUser[]; leavingSample: ImpactUser[]; targetable: boolean
  composers: { id: number; name: string; targetable: boolean; entering: number; leaving: number }[]
}

export type AttrType = 'string' | 'number' | 'boolean' | 'date' | 'list'
/** `held`: the kind every sampled user's value has (null when they differ); an import must not write another over number/boolean/list. */
export interface Catalog { attributes: { key: string; type: AttrType; declared: boolean; held?: AttrType | null }[]; events: string[]; experiences: string[] }
export interface AttributeDefinition { key: string; type: AttrType; constraints: Record<string, unknown>; readable?: boolean }

export type Verification = 'off' | 'optional' | 'required'
export interface Settings {
  project: { id: string; name: string }
  writeKey: string
  /** Null for anyone but an admin. */
  secretKey: string | null
  previousSecretExpiresAt?: number | null
  allowedOrigins: string[]
  verification: Verification
  snippet: string | null
}

/** One CSV import (worker/src/routes/imports.ts). Counts grow as chunks commit. */
export interface ImportView {
  id: number; name: string; status: 'draft' | 'running' | 'done' | 'failed'
  match: MatchBy; createNew: boolean; updateExisting: boolean; columns: Column[]; chunkRows: number
  /** Rows received so far. */
  rowsTotal: number
  created: number; updated: number; unchanged: number; skipped: number; errorCount: number
  segment: { id: number; name: string } | null
  failure: string | null
  createdAt: number; updatedAt: number; finishedAt: number | null
  /** Only from GET /imports/:id. */
  committedChunks?: number[]
}
export interface ImportInput { name: string; match: MatchBy; createNew: boolean; updateExisting: boolean; columns: Column[]; segmentName: string | null; chunkRows?: number }
export interface ChunkResult { chunk: { seq: number; rows: number; created: number; updated: number; unchanged: number; skipped: number }; import: ImportView }

export interface Member { accountId: string; email: string; role: Role }
export interface Invitation { id: string; email: string; role: Role; createdAt: number; expiresAt: number; invitedBy: string | null }
export interface NewInvitation extends Omit<Invitation, 'invitedBy'> { url: string; emailed: boolean }
export type TokenScope = 'ingest' | 'read' | 'write' | 'admin'
export interface ApiToken { id: string; name: string; scope: TokenScope; prefix: string; createdAt: number; lastUsedAt: number | null; createdBy?: string | null }
export interface AuditEntry {
  id: number
  at: number
  actor: { type: 'account' | 'token' | 'secret_key'; id: string | null; name: string }
  action: string
  objectType: string
  objectId: string | null
  summary: { before?: Record<string, unknown>; after?: Record<string, unknown> }
}
export interface AuditQuery { actor?: string; objectType?: string; from?: string; to?: string; before?: number }
export interface InvitationInfo { projectName: string; email: string; role: Role; expiresAt: number; accountExists: boolean; signedInAs: string | null }

/** A webhook endpoint (issue 12); the secret is only in the answer that made (or rotated) it. */
export interface Webhook {
  id: string; url: string; description: string; segmentIds: number[] | null; enabled: boolean
  disabledReason: string | null; failingSince: number | null; createdAt: number; updatedAt: number; pending: number; lastDeliveredAt: number | null
}
export interface WebhookInput { url?: string; description?: string; segmentIds?: number[] | null; enabled?: boolean }
export interface WebhookDelivery {
  id: number; webhookId: string; eventType: 'segment.entered' | 'segment.left'; segmentId: number; userPk: number
  status: 'pending' | 'delivered' | 'failed'; attempts: number; nextAttemptAt: number | null; lastStatus: number | null; lastError: string | null
  responseMs: number | null; deliveredAt: number | null; createdAt: number; replayOf: number | null
  payload: { data?: { segment?: { name?: string | null }; user?: { id?: string | null; email?: string | null } } }
}
