import type { Db, Stmt } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'
import type { UserColumns } from './columns.js'
import { setCause } from './cause.js'
import { segmentInputs, touches } from './inputs.js'
import { dependencyOrder, membershipStatements, recomputeStale } from './membership.js'
import { loadLibrary } from './store.js'

/** Journal rows read per round: each round is one write transaction, probing at most this many users. */
const ROUND_ROWS = 10_000
/** Rounds per pass: a pass is bounded, the next kick (or the timer) continues. */
const MAX_ROUNDS = 50

/**
 * One round of the journal drain: the journal rows past the cursor name users whose
 * inputs changed; their dynamic segments are brought to truth in SQL, and the cursor moves
 * past those rows, in one transaction. The cursor moves only if every project's segments
 * are still as planned (else nothing of that project applied, and the round is redone);
 * a round another process already did changes nothing (the statements are idempotent),
 * so a crash anywhere leaves either the work or the journal rows to redo it.
 */
export async function drainRound(db: Db, writer: Writer, now: number): Promise<{ rows: number; users: number; done: boolean }> {
  const from = Number((await db.execute('SELECT seq FROM membership_cursor WHERE id = 1')).rows[0]?.seq ?? 0)
  const { rows } = await db.execute({ sql: 'SELECT seq, project_id, user_pk, cause, inputs FROM user_changes WHERE seq > ? ORDER BY seq LIMIT ?', args: [from, ROUND_ROWS] })
  if (!rows.length) return { rows: 0, users: 0, done: true }
  const to = Number(rows[rows.length - 1].seq)
  // Per project, per user: the latest cause, and every input class that changed.
  const byProject = new Map<string, Map<number, { cause: string; inputs: string }>>()
  for (const r of rows) {
    const p = String(r.project_id)
    if (!byProject.has(p)) byProject.set(p, new Map())
    const users = byProject.get(p)!
    const pk = Number(r.user_pk)
    users.set(pk, { cause: r.cause === null ? 'ingest' : String(r.cause), inputs: (users.get(pk)?.inputs ?? '') + String(r.inputs) })
  }
  const stmts: Stmt[] = []
  const guards: string[] = []
  const guardArgs: (string | number)[] = []
  let users = 0
  for (const [projectId, changed] of byProject) {
    const lib = await loadLibrary(db, projectId)
    // Each segment after those it composes: a composer then reads their members, just brought
    // up to date in this same write, instead of re-evaluating them (unless they are stale).
    const dynamic = dependencyOrder(lib).map((seg) => ({ seg, inputs: segmentInputs(lib, seg) }))
    if (!dynamic.length) continue
    const stale = new Set((await db.execute({ sql: 'SELECT segment_id FROM segment_stale WHERE project_id = ?', args: [projectId] })).rows.map((r) => Number(r.segment_id)))
    const current = new Set([...lib.segments.keys()].filter((id) => !stale.has(id)))
    users += changed.size
    const byCause = new Map<string, { pk: number; inputs: string }[]>()
    for (const [pk, { cause, inputs }] of changed) byCause.set(cause, [...(byCause.get(cause) ?? []), { pk, inputs }])
    for (const [cause, who] of byCause) {
      stmts.push(setCause(cause, now))
      for (const { seg, inputs } of dynamic) {
        // Only the users whose change touches what this segment reads.
        const pks = who.filter((w) => touches(inputs, w.inputs)).map((w) => w.pk)
        if (pks.length) stmts.push(...membershipStatements(projectId, seg, lib, now, pks, current))
      }
    }
    guards.push('(SELECT version FROM projects WHERE id = ?) = ?')
    guardArgs.push(projectId, lib.version)
  }
  stmts.push(setCause('ingest', 0), {
    sql: `UPDATE membership_cursor SET seq = ? WHERE id = 1 AND seq = ?${guards.map((g) => ` AND ${g}`).join('')}`,
    args: [to, from, ...guardArgs],
  })
  await writer.write(stmts)
  return { rows: rows.length, users, done: rows.length < ROUND_ROWS }
}

export interface PassResult { segmentsRecomputed: number; usersRefreshed: number; journalRows: number; caughtUp: boolean }

/** Stale segments first (a save waits on its recompute), then the journal, in bounded rounds. */
async function pass(db: Db, writer: Writer, now: () => number, columns?: UserColumns): Promise<PassResult> {
  const segmentsRecomputed = await recomputeStale(db, writer, now(), undefined, columns)
  let usersRefreshed = 0
  let journalRows = 0
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const r = await drainRound(db, writer, now())
    usersRefreshed += r.users
    journalRows += r.rows
    if (r.done) return { segmentsRecomputed, usersRefreshed, journalRows, caughtUp: true }
  }
  return { segmentsRecomputed, usersRefreshed, journalRows, caughtUp: false }
}

type State = { running?: Promise<PassResult>; next?: Promise<PassResult> }
const states = new WeakMap<Writer, State>()

/**
 * Brings membership up to date with everything committed before the call: resolves after
 * a pass that started after it. Calls made while a pass runs share the one pass after it,
 * so a burst of requests costs two passes, not one each (per process; across Workers'
 * isolates the passes are idempotent).
 *
 * `columns` (Node): whole-segment recomputes evaluate over the users' columns in memory.
 *
 * @example await catchUp(deps.db, deps.writer, deps.now)  // after tagging a user
 */
export function catchUp(db: Db, writer: Writer, now: () => number, columns?: UserColumns): Promise<PassResult> {
  let s = states.get(writer)
  if (!s) states.set(writer, (s = {}))
  const state = s
  if (!state.running) {
    state.running = pass(db, writer, now, columns).finally(() => { state.running = undefined })
    return state.running
  }
  state.next ??= state.running.catch(() => undefined).then(() => {
    state.next = undefined
    return catchUp(db, writer, now, columns)
  })
  return state.next
}

/** What a route needs to settle membership before it answers. */
export interface MembershipDeps { db: Db; writer: Writer; now: () => number; membershipHeld?: boolean; columns?: UserColumns }

/**
 * After a dashboard change: membership is current when the response arrives, so the pill
 * and the count the screen reloads are right. `membershipHeld` (a test hook) leaves the work
 * in the journal, as a crash right after the commit would.
 */
export async function settleMembership(deps: MembershipDeps): Promise<void> {
  if (!deps.membershipHeld) await catchUp(deps.db, deps.writer, deps.now, deps.columns)
}
