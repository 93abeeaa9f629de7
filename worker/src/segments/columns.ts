import type { Db } from '../db/types.js'
import { storedValueSql, textOf, typedValue } from '../users/typed-value.js'
import type { ConditionTree, EventLeaf, Leaf, Node, PropertyField } from './condition.js'
import type { SegmentDef } from './library.js'
// to-sql first: it loads condition.ts before operators.ts, the order their import circle needs.
import { binder, eventScope, jsonRef, toSql } from './to-sql.js'
import { sumError, sumTotal } from './leaf-js.js'
import { prepared, type Ctx } from './operators.js'

/**
 * The users' filterable facts of a project as columns in this process's memory: native
 * fields, and each attribute key a filter has asked for. A broad filter over 1M users is
 * then a loop over arrays (~20 ms) instead of ~1 µs of B-tree reads per user and leaf.
 *
 * Never stale: before every use the `user_changes` journal (kept by triggers on `users`,
 * migration 0005) says which users changed since the columns last looked, and those are
 * read again; a journal trimmed past that point means a full reload. Event aggregates are
 * read per request from the covering events index and aggregated per position; the other
 * leaves (tags, `did` events, experiences, devices, static lists) are read as sets from SQL
 * by to-sql, so every interpreter still shares the operator table.
 *
 * Memory: ~100 bytes per user plus 8–50 per loaded key; the Node entry creates it, the
 * Workers entry does not (isolates are small), and the SQL path serves there.
 */
export interface UserColumns {
  /** The project's columns, brought up to date; `keys` are loaded if missing. */
  read(projectId: string, keys: string[]): Promise<ProjectColumns>
  /**
   * Whether the project's columns and these keys are loaded; when not, loading starts in
   * the background (a first load reads every user: seconds at 1M) and the caller answers
   * through SQL meanwhile.
   */
  ready(projectId: string, keys: string[]): boolean
}

export interface ProjectColumns {
  seq: number
  /** The project's suppressions when loaded: erasures leave no journal entry. */
  erased: number
  pk: number[]
  /** A user key's position in the arrays. */
  at: Positions
  /** 'active' | 'disabled' | '' for a deleted user (matches nothing). */
  status: string[]
  userId: (string | null)[]
  email: (string | null)[]
  name: (string | null)[]
  createdAt: number[]
  firstSeen: number[]
  lastSeen: number[]
  sessions: number[]
  eventsCount: number[]
  attrs: Map<string, unknown[]>
}

/**
 * The journal's ends and the project's erasure count, read before every use. One subquery
 * per end: SQLite reads min() or max() off the key only when it is a query's sole
 * aggregate; `SELECT max(seq), min(seq)` scans the whole journal (~200 ms at 2M entries).
 */
export const JOURNAL_ENDS_SQL = 'SELECT coalesce((SELECT max(seq) FROM user_changes), 0) AS hi, coalesce((SELECT min(seq) FROM user_changes), 0) AS lo, (SELECT count(*) FROM suppressions WHERE project_id = ?) AS erased'

const PAGE = 20_000
/** More changed users than this since the last look: a full reload is cheaper. */
const RELOAD_OVER = 50_000
const VALUE = `${storedValueSql('type', 'value')} AS value`
const NATIVES = 'id, status, user_id, email, name, created_at, first_seen, last_seen, sessions, events_count'

export function userColumns(db: Db): UserColumns {
  const projects = new Map<string, ProjectColumns>()
  // One refresh at a time per process: concurrent requests share it.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f)
    queue = run.catch(() => undefined)
    return run
  }
  const loading = new Set<string>()
  const read: UserColumns['read'] = (projectId, keys) => serial(async () => {
      let cols = projects.get(projectId)
      const { rows } = await db.execute({
        sql: JOURNAL_ENDS_SQL,
        args: [projectId],
      })
      const [hi, lo, erased] = [Number(rows[0].hi), Number(rows[0].lo), Number(rows[0].erased)]
      // An erasure removes its journal entries: a new suppression means a full reload.
      if (!cols || lo > cols.seq + 1 || erased !== cols.erased) {
        cols = await fullLoad(db, projectId, hi, cols ? [...cols.attrs.keys()] : [])
        cols.erased = erased
        projects.set(projectId, cols)
      } else if (hi > cols.seq) {
        const changed = await db.execute({ sql: 'SELECT DISTINCT user_pk FROM user_changes WHERE seq > ? AND seq <= ? AND project_id = ? LIMIT ?', args: [cols.seq, hi, projectId, RELOAD_OVER + 1] })
        if (changed.rows.length > RELOAD_OVER) {
          cols = await fullLoad(db, projectId, hi, [...cols.attrs.keys()])
          cols.erased = erased
          projects.set(projectId, cols)
        } else {
          await reloadUsers(db, projectId, cols, changed.rows.map((r) => Number(r.user_pk)))
          cols.seq = hi
        }
      }
      for (const key of keys) if (!cols.attrs.has(key)) await loadKey(db, projectId, cols, key)
      return cols
    })
  return {
    read,
    ready: (projectId, keys) => {
      const cols = projects.get(projectId)
      if (cols && keys.every((k) => cols.attrs.has(k))) return true
      const job = `${projectId}\u0000${keys.join('\u0000')}`
      if (!loading.has(job)) {
        loading.add(job)
        read(projectId, keys).catch((e) => console.error('loading user columns failed', e)).finally(() => loading.delete(job))
      }
      return false
    },
  }
}

function empty(seq: number): ProjectColumns {
  return { seq, erased: -1, pk: [], at: new Positions(), status: [], userId: [], email: [], name: [], createdAt: [], firstSeen: [], lastSeen: [], sessions: [], eventsCount: [], attrs: new Map() }
}

/**
 * User key → position. Keys are row ids, dense from 1: an array indexed by key answers
 * without hashing (a search's 40k matches, a segment's 250k members, looked up in a Map of
 * 1M keys cost ~350 ns each in cache misses). Keys past the dense bound go to a Map.
 */
export class Positions {
  private dense = new Int32Array(1024)
  private readonly sparse = new Map<number, number>()
  private static readonly DENSE_MAX = 1 << 25
  get(pk: number): number | undefined {
    if (pk >= 0 && pk < this.dense.length && Number.isInteger(pk)) {
      const v = this.dense[pk]
      return v === 0 ? undefined : v - 1
    }
    return this.sparse.get(pk)
  }
  has(pk: number): boolean { return this.get(pk) !== undefined }
  set(pk: number, i: number): void {
    if (!Number.isInteger(pk) || pk < 0 || pk >= Positions.DENSE_MAX) {
      this.sparse.set(pk, i)
      return
    }
    if (pk >= this.dense.length) {
      const grown = new Int32Array(Math.min(Positions.DENSE_MAX, Math.max(pk + 1, this.dense.length * 2)))
      grown.set(this.dense)
      this.dense = grown
    }
    this.dense[pk] = i + 1
  }
}

const STATUSES = new Map(['active', 'disabled'].map((x) => [x, x]))
const internStatus = (x: string) => STATUSES.get(x) ?? x

function put(cols: ProjectColumns, r: Record<string, unknown>) {
  const pk = Number(r.id)
  let i = cols.at.get(pk)
  if (i === undefined) {
    i = cols.pk.length
    cols.at.set(pk, i)
    cols.pk.push(pk)
    for (const values of cols.attrs.values()) values.push(undefined)
  }
  // Interned: every loop compares statuses, and equal strings that are one object compare at once.
  cols.status[i] = internStatus(String(r.status))
  cols.userId[i] = (r.user_id as string | null) ?? null
  cols.email[i] = (r.email as string | null) ?? null
  cols.name[i] = (r.name as string | null) ?? null
  cols.createdAt[i] = Number(r.created_at)
  cols.firstSeen[i] = Number(r.first_seen)
  cols.lastSeen[i] = Number(r.last_seen)
  cols.sessions[i] = Number(r.sessions)
  cols.eventsCount[i] = Number(r.events_count)
}

async function fullLoad(db: Db, projectId: string, seq: number, keys: string[]): Promise<ProjectColumns> {
  const cols = empty(seq)
  for (let after = 0; ;) {
    const { rows } = await db.execute({ sql: `SELECT ${NATIVES} FROM users WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?`, args: [projectId, after, PAGE] })
    for (const r of rows) put(cols, r)
    if (rows.length < PAGE) break
    after = Number(rows[rows.length - 1].id)
  }
  for (const key of keys) await loadKey(db, projectId, cols, key)
  return cols
}

async function loadKey(db: Db, projectId: string, cols: ProjectColumns, key: string) {
  const values: unknown[] = new Array(cols.pk.length).fill(undefined)
  const { rows } = await db.execute({ sql: `SELECT user_pk, type, ${VALUE} FROM user_attributes WHERE project_id = ? AND key = ?`, args: [projectId, key] })
  for (const r of rows) {
    const i = cols.at.get(Number(r.user_pk))
    if (i !== undefined) values[i] = typedValue(String(r.type), r.value)
  }
  cols.attrs.set(key, values)
}

async function reloadUsers(db: Db, projectId: string, cols: ProjectColumns, pks: number[]) {
  for (let k = 0; k < pks.length; k += 500) {
    const some = pks.slice(k, k + 500)
    const marks = some.map(() => '?').join(', ')
    const keys = [...cols.attrs.keys()]
    const [users, attrs] = await db.batch([
      { sql: `SELECT ${NATIVES} FROM users WHERE project_id = ? AND id IN (${marks})`, args: [projectId, ...some] },
      { sql: `SELECT user_pk, CAST(key AS BLOB) AS key, type, ${VALUE} FROM user_attributes WHERE user_pk IN (${marks}) AND project_id = ?`, args: [...some, projectId] },
    ], 'read')
    const found = new Set(users.rows.map((r) => Number(r.id)))
    // A user gone (erased, merged away) keeps no data here either.
    for (const pk of some) {
      const i = cols.at.get(pk)
      if (i === undefined || found.has(pk)) continue
      cols.status[i] = ''
      cols.userId[i] = cols.email[i] = cols.name[i] = null
      for (const values of cols.attrs.values()) values[i] = undefined
    }
    for (const r of users.rows) put(cols, r)
    for (const pk of found) for (const key of keys) cols.attrs.get(key)![cols.at.get(pk)!] = undefined
    for (const r of attrs.rows) {
      const values = cols.attrs.get(textOf(r.key))
      if (values) values[cols.at.get(Number(r.user_pk))!] = typedValue(String(r.type), r.value)
    }
  }
}

/** Attribute keys a tree reads, through the segments it composes. */
export function attributeKeys(tree: ConditionTree, segments: ReadonlyMap<number, SegmentDef>): string[] {
  const keys = new Set<string>()
  const seen = new Set<number>()
  const walk = (n: Node) => {
    if (n.type === 'group') return n.conditions.forEach(walk)
    if (n.type === 'attribute') keys.add(n.key)
    if (n.type === 'segment' && !seen.has(n.segmentId)) {
      seen.add(n.segmentId)
      const s = segments.get(n.segmentId)
      if (s?.kind === 'dynamic' && s.tree) walk(s.tree.root)
    }
  }
  walk(tree.root)
  return [...keys]
}

type Test = (i: number) => boolean

/**
 * A tree as a test of a column position. Native and attribute leaves read the columns
 * with the operator table's JS side (as evaluate does); every other leaf is the set of
 * users to-sql selects for it, read once.
 */
export async function columnTest(
  db: Db, cols: ProjectColumns, tree: ConditionTree,
  ctx: { now: number; projectId: string; segments: ReadonlyMap<number, SegmentDef>; known?: ReadonlyMap<number, Test> },
): Promise<Test> {
  const sensitive: Ctx = { caseSensitive: true, now: ctx.now }
  const insensitive: Ctx = { caseSensitive: false, now: ctx.now }
  // The set's keys as one JSON array (a row per user costs ~5 µs in libSQL's iterator), marked by position.
  const sqlSet = async (leaf: Leaf): Promise<Test> => {
    const b = binder()
    const where = toSql({ version: 1, root: { type: 'group', logic: 'and', conditions: [leaf] } } as ConditionTree, ctx, b.bind)
    const { rows } = await db.execute({ sql: `SELECT json_group_array(u.id) AS ids FROM users u WHERE u.project_id = ${b.bind(ctx.projectId)} AND ${where}`, args: b.args })
    const hit = new Uint8Array(cols.pk.length)
    for (const pk of JSON.parse(String(rows[0].ids)) as number[]) {
      const i = cols.at.get(pk)
      if (i !== undefined) hit[i] = 1
    }
    return (i) => hit[i] === 1
  }
  const compile = async (n: Node, seen: Set<number>): Promise<Test> => {
    if (n.type === 'group') {
      // A group of one is its condition: one call less per user.
      if (n.conditions.length === 1) return compile(n.conditions[0], seen)
      const parts: Test[] = []
      for (const c of n.conditions) parts.push(await compile(c, seen))
      if (n.logic === 'and') return (i) => { for (const p of parts) if (!p(i)) return false; return true }
      return (i) => { for (const p of parts) if (p(i)) return true; return false }
    }
    if (n.type === 'property' && n.field !== 'jimer_id') {
      const test = prepared(n.operator, n.value, n.caseSensitive ?? false)
      const c = n.caseSensitive ? sensitive : insensitive
      // A never-null field is read straight from its array: one call less per user.
      const values = nativeArray(cols, n.field)
      if (values) return (i) => test(values[i], c)
      const read = native(cols, n.field)
      return (i) => test(read(i), c)
    }
    if (n.type === 'attribute') {
      const test = prepared(n.operator, n.value, n.caseSensitive ?? false)
      const c = n.caseSensitive ? sensitive : insensitive
      const values = cols.attrs.get(n.key)!
      return (i) => test(values[i], c)
    }
    if (n.type === 'event' && n.measure !== 'did' && n.measure !== 'did_not') return eventTest(db, cols, n, ctx)
    if (n.type === 'segment') {
      // A segment the caller has evaluated already at each position (edit impact: the draft, for the segments composing it).
      const known = ctx.known?.get(n.segmentId)
      if (known) return n.operator === 'in' ? known : (i) => !known(i)
      const s = ctx.segments.get(n.segmentId)
      if (s?.kind === 'dynamic') {
        if (!s.tree) return () => n.operator === 'not_in'
        if (seen.has(s.id)) throw new Error(`segment ${s.id} composes itself`)
        const inner = await compile(s.tree.root, new Set([...seen, s.id]))
        return n.operator === 'in' ? inner : (i) => !inner(i)
      }
    }
    return sqlSet(n)
  }
  return compile(tree.root, new Set())
}

/** The users (`u`) of an event leaf's events, in index order, and for an aggregate its property (`v`), as JSON arrays. */
export function eventArraysSql(leaf: EventLeaf, ctx: { now: number; projectId: string }): { sql: string; args: (string | number)[] } {
  const b = binder()
  const where = eventScope(leaf, ctx, b.bind).join(' AND ')
  const value = leaf.measure !== 'count' ? `, json_group_array(${jsonRef('e.properties', leaf.property!, b.bind).number}) AS v` : ''
  return { sql: `SELECT json_group_array(e.user_pk) AS u${value} FROM events e WHERE ${where}`, args: b.args }
}

/**
 * An event aggregate (count, sum, avg, min, max) at each position: the leaf's events read in
 * one pass of the covering (project, name, time) index as two JSON arrays (each event's
 * user, and the measured property), aggregated per user as evaluate's measurer does (same
 * compensated sum, numbers only), and the leaf's operator applied to every user's measure.
 * In SQL the same leaf is a GROUP BY whose sort costs ~1 µs per event (307k events in a
 * 30-day window at 1M users: ~400 ms); here the sort is an array index.
 */
async function eventTest(db: Db, cols: ProjectColumns, leaf: EventLeaf, ctx: { now: number; projectId: string }): Promise<Test> {
  const { rows } = await db.execute(eventArraysSql(leaf, ctx))
  const users = JSON.parse(String(rows[0].u)) as number[]
  const values = leaf.measure !== 'count' ? JSON.parse(String(rows[0].v)) as unknown[] : null
  const size = cols.pk.length
  // Per position: how many events, how many numeric values, and the running terms of the measure.
  const count = new Int32Array(size)
  const sum = values && (leaf.measure === 'sum' || leaf.measure === 'avg') ? new Float64Array(size) : null
  const err = sum ? new Float64Array(size) : null
  const extreme = values && (leaf.measure === 'min' || leaf.measure === 'max') ? new Float64Array(size) : null
  const low = leaf.measure === 'min'
  for (let k = 0; k < users.length; k++) {
    const i = cols.at.get(users[k])
    if (i === undefined) continue
    if (!values) { count[i]++; continue }
    const v = values[k]
    if (typeof v !== 'number') continue
    // Counted only when numeric: for an aggregate the count is its n.
    const first = count[i]++ === 0
    if (sum) {
      const t = sum[i] + v
      err![i] += sumError(sum[i], v, t)
      sum[i] = t
    } else {
      extreme![i] = first ? v : low ? Math.min(extreme![i], v) : Math.max(extreme![i], v)
    }
  }
  const test = prepared(leaf.operator!, leaf.value, false)
  const c: Ctx = { caseSensitive: false, now: ctx.now }
  if (!values) return (i) => test(count[i], c)
  // A user with no numeric value has nothing to aggregate: null, as the measurer answers.
  const none = test(null, c)
  if (sum) {
    const avg = leaf.measure === 'avg'
    return (i) => count[i] === 0 ? none : test(avg ? sumTotal(sum[i], err![i]) / count[i] : sumTotal(sum[i], err![i]), c)
  }
  return (i) => count[i] === 0 ? none : test(extreme![i], c)
}

/** A native field that is never null, as its array (read straight by the loop). */
function nativeArray(cols: ProjectColumns, field: Exclude<PropertyField, 'jimer_id'>): readonly unknown[] | null {
  switch (field) {
    case 'status': return cols.status
    case 'created': return cols.createdAt
    case 'first_seen': return cols.firstSeen
    case 'last_seen': return cols.lastSeen
    case 'sessions': return cols.sessions
    case 'events_count': return cols.eventsCount
    default: return null
  }
}

/** A native field's value at a position, as evaluate's propertyValue reads it from facts. */
function native(cols: ProjectColumns, field: Exclude<PropertyField, 'jimer_id'>): (i: number) => unknown {
  const values = nativeArray(cols, field)
  if (values) return (i) => values[i]
  switch (field) {
    case 'name': return (i) => cols.name[i] ?? undefined
    case 'email': return (i) => cols.email[i] ?? undefined
    case 'user_id': return (i) => cols.userId[i] ?? undefined
    default: return (i) => cols.userId[i] !== null // identified
  }
}

/**
 * The users a tree selects (every user with no tree), from the columns: how many, and the
 * first `limit` by last activity (newest first, then highest key), after a keyset cursor.
 * `among`: only these user keys are candidates (a search's matches); keys that are not
 * this project's users are no one here, and a key given twice counts once.
 */
export async function columnMatches(
  db: Db, columns: UserColumns, tree: ConditionTree | null,
  ctx: { now: number; projectId: string; segments: ReadonlyMap<number, SegmentDef> },
  opts: { statuses: string[]; limit: number; after?: [number, number]; among?: readonly number[] },
): Promise<{ total: number; page: number[] }> {
  const cols = await columns.read(ctx.projectId, tree ? attributeKeys(tree, ctx.segments) : [])
  const test = tree ? await columnTest(db, cols, tree, ctx) : () => true
  const statuses = new Set(opts.statuses)
  // One status (the usual 'active'): compared directly, the statuses being interned.
  const only = opts.statuses.length === 1 ? opts.statuses[0] : null
  const { limit, after } = opts
  let total = 0
  // The page as a small sorted buffer: most users fall below its last entry at one comparison.
  const top: number[] = []
  const newer = (i: number, j: number) => cols.lastSeen[i] > cols.lastSeen[j] || (cols.lastSeen[i] === cols.lastSeen[j] && cols.pk[i] > cols.pk[j])
  const beforeCursor = (i: number) => !after || cols.lastSeen[i] < after[0] || (cols.lastSeen[i] === after[0] && cols.pk[i] < after[1])
  const visit = (i: number) => {
    if ((only !== null ? cols.status[i] !== only : !statuses.has(cols.status[i])) || !test(i)) return
    total++
    if (limit === 0 || !beforeCursor(i)) return
    if (top.length === limit && !newer(i, top[limit - 1])) return
    let k = top.length < limit ? top.length : limit - 1
    while (k > 0 && newer(i, top[k - 1])) { top[k] = top[k - 1]; k-- }
    top[k] = i
  }
  if (opts.among) {
    const seen = new Uint8Array(cols.pk.length)
    for (const pk of opts.among) {
      const i = cols.at.get(pk)
      if (i === undefined || seen[i]) continue
      seen[i] = 1
      visit(i)
    }
  } else {
    for (let i = 0; i < cols.pk.length; i++) visit(i)
  }
  return { total, page: top.map((i) => cols.pk[i]) }
}

/**
 * Whether a tree is cheaper over the columns than in SQL: when it reads an attribute, a
 * native field or an event aggregate, or combines conditions with OR. A native range is an
 * index range in SQL, but its cost grows with the users in it (last activity > 30 days
 * counts 644k index entries in ~40 ms) while the loop stays ~18 ms at 1M users whatever the
 * range. Trees of tags, `did` events and lists alone are sets in SQL either way, and stay there.
 */
export function prefersColumns(tree: ConditionTree, segments: ReadonlyMap<number, SegmentDef>): boolean {
  const seen = new Set<number>()
  const walk = (n: Node): boolean => {
    if (n.type === 'group') return (n.logic === 'or' && n.conditions.length > 1) || n.conditions.some(walk)
    if (n.type === 'attribute' || (n.type === 'property' && n.field !== 'jimer_id')) return true
    // An aggregate is a GROUP BY in SQL, a sort of its events; here an array per user.
    if (n.type === 'event') return n.measure !== 'did' && n.measure !== 'did_not'
    if (n.type === 'segment' && !seen.has(n.segmentId)) {
      seen.add(n.segmentId)
      const s = segments.get(n.segmentId)
      return s?.kind === 'dynamic' && s.tree !== null && walk(s.tree.root)
    }
    return false
  }
  return walk(tree.root)
}
