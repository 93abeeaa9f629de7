/**
 * The whole data model (DESIGN.md "Data model"). Every row that belongs to a project
 * carries `project_id`; every query filters by it. Times are integer milliseconds since
 * the epoch (UTC). JSON columns hold text produced by JSON.stringify / SQLite's json_*.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  writeKey: text('write_key').notNull().unique(),
  secretKey: text('secret_key').notNull().unique(),
  /** The secret before the last rotation, still accepted until `previous_secret_expires_at`. */
  previousSecretKey: text('previous_secret_key'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  /** 'off' | 'optional' | 'required' — identity verification (F-08). */
  verification: text('verification').notNull().default('optional'),
  /** JSON array of allowed origins; `["*"]` allows any site. */
  allowedOrigins: text('allowed_origins').notNull().default('["*"]'),
  /** 1: store each device's IP address (from `context.ip` or the request); 0 (default): never. */
  collectIp: integer('collect_ip').notNull().default(0),
  /** Bumped whenever segments or attribute definitions change: per-isolate caches key on it. */
  version: integer('version').notNull().default(0),
  createdAt: integer('created_at').notNull(),
})

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  /** PBKDF2-SHA256 (100,000 iterations): `pbkdf2$iterations$salt$hash`, base64url. */
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
})

export const projectMembers = sqliteTable('project_members', {
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  /** 'admin' | 'editor' | 'viewer' */
  role: text('role').notNull(),
}, (t) => [
  primaryKey({ columns: [t.projectId, t.accountId] }),
  index('project_members_account').on(t.accountId),
])

export const sessions = sqliteTable('sessions', {
  /** SHA-256 of the cookie token: a leaked table does not leak sessions. */
  id: text('id').primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
}, (t) => [index('sessions_account').on(t.accountId)])

/** Failed dashboard sign-ins, per email, for rate limiting (kept in the database: no isolate holds them). */
export const loginFailures = sqliteTable('login_failures', {
  email: text('email').notNull(),
  at: integer('at').notNull(),
}, (t) => [index('login_failures_email_at').on(t.email, t.at)])

export const users = sqliteTable('users', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  /** The site's own id, set by identify; NULL while anonymous. */
  userId: text('user_id'),
  /** The Jimer ID that created this profile, when it began anonymous. */
  anonymousId: text('anonymous_id'),
  email: text('email'),
  name: text('name'),
  /** 'active' | 'disabled' */
  status: text('status').notNull().default('active'),
  createdAt: integer('created_at').notNull(),
  firstSeen: integer('first_seen').notNull(),
  lastSeen: integer('last_seen').notNull(),
  sessions: integer('sessions').notNull().default(0),
  lastSessionId: text('last_session_id'),
  eventsCount: integer('events_count').notNull().default(0),
  experiencesSeen: integer('experiences_seen').notNull().default(0),
  /** Custom attributes, `{key: value}`. */
  attributes: text('attributes').notNull().default('{}'),
  /** Per attribute (native ones too): `{key: {s: source, t: ms}}`; source is Native, SDK, Import, Dashboard or API. */
  attributeMeta: text('attribute_meta').notNull().default('{}'),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  uniqueIndex('users_project_user_id').on(t.projectId, t.userId).where(sql`user_id IS NOT NULL`),
  uniqueIndex('users_project_anonymous_id').on(t.projectId, t.anonymousId).where(sql`anonymous_id IS NOT NULL`),
  // The list order and "last activity" filters, for active users, counted from the index alone.
  index('users_project_status_last_seen').on(t.projectId, t.status, t.lastSeen),
  index('users_project_email').on(t.projectId, t.email),
  index('users_project_name').on(t.projectId, t.name),
])

/** Another id a profile answers to: alias(previousId, userId), and user ids merged away. */
export const aliases = sqliteTable('aliases', {
  projectId: text('project_id').notNull(),
  alias: text('alias').notNull(),
  userPk: integer('user_pk').notNull(),
}, (t) => [
  primaryKey({ columns: [t.projectId, t.alias] }),
  index('aliases_user').on(t.userPk),
])

/** One row per Jimer ID (anonymous id): a browser on a machine. */
export const devices = sqliteTable('devices', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  anonymousId: text('anonymous_id').notNull(),
  userPk: integer('user_pk'),
  browser: text('browser'),
  browserVersion: text('browser_version'),
  os: text('os'),
  osVersion: text('os_version'),
  /** 'desktop' | 'mobile' | 'tablet' | … as the user-agent parser names it. */
  deviceType: text('device_type'),
  userAgent: text('user_agent'),
  language: text('language'),
  timezone: text('timezone'),
  screen: text('screen'),
  /** Last known IP address, only when the project stores them (projects.collect_ip). */
  ip: text('ip'),
  firstSeen: integer('first_seen').notNull(),
  lastSeen: integer('last_seen').notNull(),
}, (t) => [
  uniqueIndex('devices_project_anonymous_id').on(t.projectId, t.anonymousId),
  index('devices_user').on(t.userPk),
])

export const events = sqliteTable('events', {
  /** Integer key, increasing with insertion order. */
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  userPk: integer('user_pk').notNull(),
  anonymousId: text('anonymous_id'),
  /** 'track' | 'page' | 'screen' | 'identify' | 'alias' | 'group' */
  type: text('type').notNull(),
  /** The event name for track; '$page', '$identify', '$alias', '$group' for the others. */
  name: text('name').notNull(),
  properties: text('properties').notNull().default('{}'),
  context: text('context').notNull().default('{}'),
  /** Segment's `integrations` object as sent (JSON), or NULL. */
  integrations: text('integrations'),
  /** When it happened, corrected for client clock skew. */
  timestamp: integer('timestamp').notNull(),
  receivedAt: integer('received_at').notNull(),
  messageId: text('message_id').notNull(),
}, (t) => [
  uniqueIndex('events_project_message').on(t.projectId, t.messageId),
  index('events_user_time').on(t.userPk, t.timestamp),
  // Covering for event conditions (migration 0011): who did an event, and its properties for
  // sums and filters, read off the index in time order without a row lookup per event.
  index('events_project_name_time').on(t.projectId, t.name, t.timestamp, t.userPk, t.properties),
])

/** Experience interactions (F-32): seen / completed / dismissed / answered. */
export const interactions = sqliteTable('interactions', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  userPk: integer('user_pk').notNull(),
  experienceId: text('experience_id').notNull(),
  experienceName: text('experience_name'),
  action: text('action').notNull(),
  step: integer('step'),
  steps: integer('steps'),
  timestamp: integer('timestamp').notNull(),
  messageId: text('message_id').notNull(),
}, (t) => [index('interactions_user_time').on(t.userPk, t.timestamp)])

/** Survey answers (F-33). */
export const responses = sqliteTable('responses', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  userPk: integer('user_pk').notNull(),
  experienceId: text('experience_id').notNull(),
  step: integer('step'),
  question: text('question'),
  answer: text('answer'),
  timestamp: integer('timestamp').notNull(),
  messageId: text('message_id').notNull(),
}, (t) => [index('responses_user_time').on(t.userPk, t.timestamp)])

export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  name: text('name').notNull(),
  color: text('color').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('tags_project_name').on(t.projectId, t.name)])

export const userTags = sqliteTable('user_tags', {
  projectId: text('project_id').notNull(),
  userPk: integer('user_pk').notNull(),
  tagId: integer('tag_id').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  primaryKey({ columns: [t.userPk, t.tagId] }),
  index('user_tags_tag').on(t.tagId),
])

export const attributeDefinitions = sqliteTable('attribute_definitions', {
  projectId: text('project_id').notNull(),
  key: text('key').notNull(),
  /** 'string' | 'number' | 'boolean' | 'date' | 'list' */
  type: text('type').notNull(),
  constraints: text('constraints').notNull().default('{}'),
  /** 1: `jimer.user()` may read this attribute in the visitor's own browser (personalization); 0 (default): never sent. */
  readable: integer('readable').notNull().default(0),
  createdAt: integer('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.projectId, t.key] })])

export const segments = sqliteTable('segments', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  /** 'dynamic' | 'static' */
  kind: text('kind').notNull(),
  /** The versioned condition tree (JSON); NULL for static segments. */
  conditions: text('conditions'),
  targetable: integer('targetable', { mode: 'boolean' }).notNull().default(false),
  /** The key the targeting endpoint answers with. */
  key: text('key').notNull(),
  memberCount: integer('member_count').notNull().default(0),
  computedAt: integer('computed_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  uniqueIndex('segments_project_key').on(t.projectId, t.key),
  // A project's static lists without reading the wide rows: a user's lists for targeting (facts.ts).
  index('segments_project_kind').on(t.projectId, t.kind),
])

/**
 * Segment history (issue 16): every saved change of a segment, as it was saved — who, when,
 * its definition, and its member count right after the save.
 */
export const segmentVersions = sqliteTable('segment_versions', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  segmentId: integer('segment_id').notNull(),
  at: integer('at').notNull(),
  /** The actor as the audit log names it (account email, token name, "secret key"). */
  actorName: text('actor_name').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  kind: text('kind').notNull(),
  conditions: text('conditions'),
  targetable: integer('targetable').notNull(),
  key: text('key').notNull(),
  memberCount: integer('member_count').notNull(),
}, (t) => [index('segment_versions_segment').on(t.projectId, t.segmentId, t.at)])

export const segmentMembers = sqliteTable('segment_members', {
  projectId: text('project_id').notNull(),
  segmentId: integer('segment_id').notNull(),
  userPk: integer('user_pk').notNull(),
  enteredAt: integer('entered_at').notNull(),
  computedAt: integer('computed_at').notNull(),
}, (t) => [
  // WITHOUT ROWID, clustered on this key, with no index by user alone (migration 0013,
  // hand-written: drizzle-kit cannot express WITHOUT ROWID, so a change to this table needs
  // a hand-written migration too). A user's memberships are found per segment of the
  // project (segments/member-of.ts), so a recompute's new rows stay on their segment's pages.
  primaryKey({ columns: [t.segmentId, t.userPk] }),
])

export const imports = sqliteTable('imports', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  name: text('name').notNull(),
  /** 'draft' | 'running' | 'done' | 'failed' */
  status: text('status').notNull(),
  /** `{match, createNew, updateExisting, columns, chunkRows}` as the import was created. */
  options: text('options').notNull().default('{}'),
  /** Rows received (committed chunks); the counts below add up to it. */
  rowsTotal: integer('rows_total').notNull().default(0),
  created: integer('created').notNull().default(0),
  updated: integer('updated').notNull().default(0),
  /** Rows that matched a user whose stored values already equal the row's (a re-run). */
  unchanged: integer('unchanged').notNull().default(0),
  skipped: integer('skipped').notNull().default(0),
  /** Row errors and skips, all of them (import_errors keeps the first 10,000). */
  errorCount: integer('error_count').notNull().default(0),
  /** The static segment of the imported users (F-62). */
  segmentId: integer('segment_id'),
  failure: text('failure'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull().default(0),
  finishedAt: integer('finished_at'),
}, (t) => [index('imports_project_created').on(t.projectId, t.createdAt)])

export const importErrors = sqliteTable('import_errors', {
  id: integer('id').primaryKey(),
  importId: integer('import_id').notNull(),
  row: integer('row').notNull(),
  column: text('column'),
  /** A stable code (convert.ts RowErrorCode) beside the readable reason. */
  code: text('code').notNull().default('invalid'),
  reason: text('reason').notNull(),
  /** The offending cell, cut to 200 characters. */
  value: text('value'),
}, (t) => [index('import_errors_import').on(t.importId, t.row)])

/**
 * One row per committed chunk, written in the chunk's own transaction: a chunk sent again
 * (a retry, a resumed file) finds itself here and changes nothing. `hash` tells a resumed
 * upload that its chunk holds the same rows as the first time.
 */
export const importChunks = sqliteTable('import_chunks', {
  importId: integer('import_id').notNull(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
  rows: integer('rows').notNull(),
  created: integer('created').notNull(),
  updated: integer('updated').notNull(),
  unchanged: integer('unchanged').notNull(),
  skipped: integer('skipped').notNull(),
  committedAt: integer('committed_at').notNull(),
}, (t) => [primaryKey({ columns: [t.importId, t.seq] })])

/**
 * Identifiers of erased users (F-37): a hash of each user id, Jimer ID and alias they had,
 * so that an old snippet queue or a lagging server cannot bring the profile back. Hashes,
 * not the ids: the point of erasure is not to keep them.
 */
export const suppressions = sqliteTable('suppressions', {
  projectId: text('project_id').notNull(),
  idHash: text('id_hash').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.projectId, t.idHash] })])

/**
 * Invitations to a project (F-70): the link's token is 256 random bits, and only its
 * SHA-256 is stored. Single use (`accepted_at`), valid until `expires_at` (7 days).
 * Revoking deletes the row.
 */
export const invitations = sqliteTable('invitations', {
  id: text('id').primaryKey(),
  projectId: text('project_id').notNull(),
  email: text('email').notNull(),
  /** 'admin' | 'editor' | 'viewer' */
  role: text('role').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  invitedBy: text('invited_by'),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  acceptedAt: integer('accepted_at'),
  acceptedBy: text('accepted_by'),
}, (t) => [index('invitations_project').on(t.projectId, t.createdAt)])

/**
 * Server API tokens (F-71), one scope each: 'ingest' | 'read' | 'write' | 'admin'. Shown
 * once at creation; only the SHA-256 is stored, and `prefix` lets a list tell them apart.
 */
export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  projectId: text('project_id').notNull(),
  name: text('name').notNull(),
  scope: text('scope').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
}, (t) => [index('api_tokens_project').on(t.projectId)])

/**
 * Every change made through the admin API: who (an account, a token, the secret key),
 * what, which object, when, and a short before/after summary — never a secret. Kept 365
 * days (scheduled.ts).
 */
export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  at: integer('at').notNull(),
  /** 'account' | 'token' | 'secret_key' */
  actorType: text('actor_type').notNull(),
  actorId: text('actor_id'),
  /** The account's email or the token's name, as it was then. */
  actorName: text('actor_name').notNull(),
  /** `object_type.verb`, e.g. 'segment.update'. */
  action: text('action').notNull(),
  objectType: text('object_type').notNull(),
  objectId: text('object_id'),
  /** `{before?, after?}` JSON, short. */
  summary: text('summary').notNull().default('{}'),
}, (t) => [
  index('audit_log_project_at').on(t.projectId, t.at),
  index('audit_log_project_object').on(t.projectId, t.objectType, t.at),
])

/**
 * Webhook endpoints (issue 12): a URL that receives `segment.entered` / `segment.left` for
 * the segments it follows (`segment_ids`, a JSON array; NULL follows every segment). The
 * secret (`whsec_…`, Standard Webhooks) signs every delivery and is shown only when made.
 * `start_after` is the last ledger id when the endpoint was made: it receives only what
 * happened after it existed. `failing_since` is the first failure after the last success;
 * a day of it disables the endpoint and `disabled_reason` says so.
 */
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  projectId: text('project_id').notNull(),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  segmentIds: text('segment_ids'),
  enabled: integer('enabled').notNull().default(1),
  secret: text('secret').notNull(),
  startAfter: integer('start_after').notNull().default(0),
  disabledReason: text('disabled_reason'),
  failingSince: integer('failing_since'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('webhook_endpoints_project').on(t.projectId)])

/**
 * The durable outbox and delivery log: one row per (endpoint, ledger entry), made in the
 * fan-out's transaction with the payload it will send, so a crash neither loses nor doubles
 * one. `webhook_id` (`msg_…`) stays the same across retries; a replay is a new row with the
 * same `webhook_id` and `replay_of`. 'pending' | 'delivered' | 'failed'.
 */
export const webhookDeliveries = sqliteTable('webhook_deliveries', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  endpointId: text('endpoint_id').notNull(),
  ledgerId: integer('ledger_id'),
  replayOf: integer('replay_of'),
  segmentId: integer('segment_id').notNull(),
  userPk: integer('user_pk').notNull(),
  eventType: text('event_type').notNull(),
  payload: text('payload').notNull(),
  webhookId: text('webhook_id').notNull(),
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at').notNull(),
  lastError: text('last_error'),
  lastStatus: integer('last_status'),
  responseMs: integer('response_ms'),
  deliveredAt: integer('delivered_at'),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  uniqueIndex('webhook_deliveries_entry').on(t.endpointId, t.ledgerId),
  index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
  // Order per (endpoint, segment, user): the head of each key is the lowest pending id.
  index('webhook_deliveries_key').on(t.endpointId, t.segmentId, t.userPk, t.status),
  index('webhook_deliveries_user').on(t.userPk),
])

/** How far the fan-out has read `segment_ledger` (one row: the ledger's ids are global). */
export const webhookCursor = sqliteTable('webhook_cursor', {
  id: integer('id').primaryKey(),
  ledgerId: integer('ledger_id').notNull(),
})

/**
 * Reversible merges (issue 16): which profile was kept, which folded into it, and every
 * row of both as they were before (`snapshot`, JSON), so Undo within 30 days restores them
 * exactly. Erasing either user deletes the record with them.
 */
export const userMerges = sqliteTable('user_merges', {
  id: integer('id').primaryKey(),
  projectId: text('project_id').notNull(),
  keptPk: integer('kept_pk').notNull(),
  mergedPk: integer('merged_pk').notNull(),
  at: integer('at').notNull(),
  actorName: text('actor_name').notNull(),
  snapshot: text('snapshot').notNull(),
  undoneAt: integer('undone_at'),
  /** Random per undo: the undo's statements apply only if its own claim of the row won. */
  undoToken: text('undo_token'),
}, (t) => [
  index('user_merges_project_at').on(t.projectId, t.at),
  index('user_merges_kept').on(t.keptPk),
  index('user_merges_merged').on(t.mergedPk),
])
