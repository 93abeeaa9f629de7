import type { Stmt } from '../db/types.js'

/**
 * Why a write changes what it changes, for the membership ledger (issue 12). The triggers
 * of migration 0008 copy `write_cause` into every journal row (user_changes) and ledger
 * row (segment_ledger) the write makes. A write without a cause is ingest: the collector's
 * hot path pays nothing. Every other writer wraps its statements here, which also resets
 * the cause afterwards, so that on Node's group commit a neighbouring collector write in
 * the same transaction is not mislabelled.
 *
 * @example writer.write(withCause('tag', now, [addTagStatement]))
 */
export type Cause =
  | 'ingest' | 'tag' | 'static list' | 'dashboard' | 'import' | 'merge' | 'undo merge' | 'delete'
  | 'created' | 'edit' | 'schedule' | 'repair' | 'definition' | 'before ledger'

export function withCause(cause: Cause, now: number, stmts: Stmt[]): Stmt[] {
  return [setCause(cause, now), ...stmts, setCause('ingest', 0)]
}

export function setCause(cause: Cause | string, now: number): Stmt {
  return { sql: 'UPDATE write_cause SET cause = ?, at = ? WHERE id = 1', args: [cause, now] }
}
