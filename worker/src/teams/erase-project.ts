import type { Stmt } from '../db/types.js'

/**
 * Every table that holds rows of a project by `project_id`. A project's deletion empties
 * each of them for it; `test/security/project-deletion.test.ts` fails when a table with a
 * `project_id` column is missing here.
 */
export const PROJECT_TABLES = [
  // After users: its delete triggers touch the typed storage and totals.
  'users', 'user_attributes', 'user_attribute_items', 'user_counts', 'aliases', 'devices', 'events', 'interactions', 'responses', 'tags', 'user_tags',
  // segment_members before its ledger: its delete trigger writes ledger rows.
  'attribute_definitions', 'segment_members', 'segment_ledger', 'segment_stale', 'segment_versions', 'segments', 'user_merges', 'suppressions',
  'project_members', 'invitations', 'api_tokens', 'audit_log', 'webhook_deliveries', 'webhook_endpoints',
  // Last: deletes of users, devices, tags and list members above append to it.
  'user_changes',
] as const

/** Tables whose rows belong to a project through one of its imports. */
export const IMPORT_TABLES = ['import_errors', 'import_chunks'] as const

/**
 * Deleting a project (F-70): every row of it, its own row last, as one atomic write. Its
 * write key, secret key and API tokens stop at once (nothing holds them any more); its
 * audit log goes with it. Accounts stay: they may belong to other projects.
 */
export function eraseProjectStatements(projectId: string): Stmt[] {
  const args = [projectId]
  return [
    ...IMPORT_TABLES.map((t) => ({ sql: `DELETE FROM ${t} WHERE import_id IN (SELECT id FROM imports WHERE project_id = ?)`, args })),
    { sql: 'DELETE FROM imports WHERE project_id = ?', args },
    ...PROJECT_TABLES.map((t) => ({ sql: `DELETE FROM ${t} WHERE project_id = ?`, args })),
    { sql: 'DELETE FROM projects WHERE id = ?', args },
  ]
}
