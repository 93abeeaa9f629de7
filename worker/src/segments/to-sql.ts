import { DAY, type ConditionTree, type EventLeaf, type Leaf, type Node, type PropertyField } from './condition.js'
import type { EvalContext } from './library.js'
import { positiveOf, testJs, testSql, type Bind, type Ctx, type Operator, type SqlRef } from './operators.js'

/** What to-sql is given: the interpreters' context and the project, so every set read is one index range. */
export interface SqlContext extends EvalContext {
  projectId: string
  /** Never drive the query from a set (a page walks the last-seen index in order instead). */
  probeOnly?: boolean
  /**
   * Dynamic segments whose stored members are current and may be read instead of their
   * conditions (membership upkeep, which brings them up to date first: segments/membership.ts).
   */
  storedMembers?: ReadonlySet<number>
}

/**
 * Numbered parameters (`?1`, `?2`…): a fragment may name one value twice, and the query
 * around a compiled tree binds its own values through the same binder.
 */
export function binder() {
  const args: (string | number)[] = []
  const bind: Bind = (v) => `?${args.push(v as string | number)}`
  return { args, bind }
}

/**
 * Compiles a tree to a SQL boolean over `users u` (lists, counts, exports, recomputes).
 * Values only ever travel as bound parameters; identifiers come from the whitelists
 * below; this is the one file that writes SQL fragments for segments.
 *
 * Plans: native fields test the users row itself; every other leaf is `u.id IN (set)` or
 * `u.id NOT IN (set)` over an uncorrelated subquery that one index range answers
 * (typed attributes, list items, tags, events by name and time, interactions, static
 * members, devices). SQLite builds each set once per query, so a leaf costs one range
 * read plus a probe per user, and no JSON is parsed per user. Every set column is NOT
 * NULL, so NOT IN is never NULL.
 *
 * @example
 * const b = binder()
 * const where = toSql(tree, ctx, b.bind)
 * db.execute({ sql: `SELECT count(*) FROM users u WHERE u.project_id = ${b.bind(projectId)} AND ${where}`, args: b.args })
 */
export function toSql(tree: ConditionTree, ctx: SqlContext, bind: Bind): string {
  // `probe`: inside an OR (or when the caller walks an index in order) a set is only probed,
  // `+u.id IN (…)`: SQLite's MULTI-INDEX OR would otherwise fetch each member's row by key,
  // measured slower than one pass over the (project, status, last seen) index.
  const compile = (n: Node, seen: Set<number>, probe: boolean): string => {
    if (n.type === 'group') {
      if (n.conditions.length === 0) return n.logic === 'and' ? '1' : '0'
      // Cheapest first: SQLite stops at the first term that decides, so a plain column
      // test can spare the set probes behind it. The answer is the same.
      const inner = probe || (n.logic === 'or' && n.conditions.length > 1)
      const parts = [...n.conditions].sort((x, y) => cost(x) - cost(y)).map((c) => compile(c, seen, inner))
      return `(${parts.join(n.logic === 'and' ? ' AND ' : ' OR ')})`
    }
    const id = probe ? '+u.id' : 'u.id'
    return leafSql(n, ctx, bind, probe, (sid) => {
      const s = ctx.segments.get(sid)
      if (!s) return '0'
      if (s.kind === 'static' || (s.tree && ctx.storedMembers?.has(sid))) {
        return ctx.probeOnly
          ? `EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ${bind(sid)} AND sm.user_pk = u.id)`
          : `${id} IN (SELECT sm.user_pk FROM segment_members sm WHERE sm.segment_id = ${bind(sid)})`
      }
      // A dynamic segment without conditions has no members: its segment_members rows are a
      // cache, and evaluate reads static memberships only.
      if (!s.tree) return '0'
      if (seen.has(sid)) throw new Error(`segment ${sid} composes itself`)
      return compile(s.tree.root, new Set([...seen, sid]), probe)
    })
  }
  return compile(tree.root, new Set(), ctx.probeOnly ?? false)
}

/** A rough price of evaluating a node in SQL, to put cheap tests first. */
function cost(n: Node): number {
  switch (n.type) {
    case 'group': return n.conditions.reduce((m, c) => Math.max(m, cost(c)), 0)
    case 'property': return n.field === 'jimer_id' ? 3 : COLUMNS[n.field].int ? 0 : 1
    case 'tag': return 2
    case 'attribute': return 3
    case 'experience': return 4
    case 'segment': return 5
    case 'event': return 6
  }
}

/** Native properties: the column (never user input) and its JSON type name. */
const COLUMNS: Record<Exclude<PropertyField, 'jimer_id'>, SqlRef> = {
  name: { v: 'u.name', t: `CASE WHEN u.name IS NULL THEN NULL ELSE 'text' END` },
  email: { v: 'u.email', t: `CASE WHEN u.email IS NULL THEN NULL ELSE 'text' END` },
  user_id: { v: 'u.user_id', t: `CASE WHEN u.user_id IS NULL THEN NULL ELSE 'text' END` },
  status: { v: 'u.status', t: `'text'` },
  created: { v: 'u.created_at', t: `'integer'`, int: true },
  first_seen: { v: 'u.first_seen', t: `'integer'`, int: true },
  last_seen: { v: 'u.last_seen', t: `'integer'`, int: true },
  sessions: { v: 'u.sessions', t: `'integer'`, int: true },
  events_count: { v: 'u.events_count', t: `'integer'`, int: true },
  identified: { v: '(u.user_id IS NOT NULL)', t: `CASE WHEN u.user_id IS NULL THEN 'false' ELSE 'true' END` },
}

/**
 * A key of a JSON object column (event properties). A path like `$."plan"` is fast, but
 * SQLite's paths cannot quote a key that holds `"` or `\`, and a NUL ends the path: such
 * keys are looked up through json_each instead. `number` is the value as json_group_array
 * embeds it, for a reader that aggregates in JS: a number stays a JSON number (other values
 * may come as their JSON; the reader keeps numbers only, as evaluate does).
 */
export function jsonRef(column: 'e.properties', key: string, bind: Bind): SqlRef & { number: string } {
  if (!/["\\\u0000]/.test(key)) {
    const path = bind(`$."${key}"`)
    return { v: `json_extract(${column}, ${path})`, t: `json_type(${column}, ${path})`, number: `${column} -> ${path}` }
  }
  const k = bind(key)
  return {
    v: `(SELECT value FROM json_each(${column}) WHERE key = ${k})`,
    t: `(SELECT type FROM json_each(${column}) WHERE key = ${k})`,
    number: `(SELECT value FROM json_each(${column}) WHERE key = ${k} AND type IN ('integer', 'real'))`,
  }
}

/**
 * The events an event leaf looks at, as the terms of a WHERE over `events e`: its name,
 * its time window and its property filters. One range of the (project, name, time) index,
 * which covers the user and the properties (migration 0011). Shared with the columns path.
 */
export function eventScope(leaf: EventLeaf, ctx: Pick<SqlContext, 'projectId' | 'now'>, bind: Bind): string[] {
  const where = [`e.project_id = ${bind(ctx.projectId)}`, `e.name = ${bind(leaf.event)}`]
  const w = leaf.window
  if (w && 'lastDays' in w) where.push(`e.timestamp >= ${bind(ctx.now - w.lastDays * DAY)}`)
  if (w && 'from' in w && w.from !== undefined) where.push(`e.timestamp >= ${bind(w.from)}`)
  if (w && 'to' in w && w.to !== undefined) where.push(`e.timestamp <= ${bind(w.to)}`)
  for (const f of leaf.where ?? []) where.push(testSql(f.operator, jsonRef('e.properties', f.property, bind), f.value, { caseSensitive: f.caseSensitive ?? false, now: ctx.now }, bind))
  return where
}

/**
 * A leaf over a per-user set. `select(where)` is the subquery of user keys whose row
 * passes `where`; `test` is the positive operator over that row (it may be NULL);
 * `absentPasses` says whether a user with no row passes the positive (list_is_empty, a
 * count of 0), as evaluate reads an absent value. The leaf is then a plain IN / NOT IN:
 * - absent fails: members of the positive are exactly `IN (rows passing)`;
 * - absent passes: they are `NOT IN (rows failing)`.
 */
function overSet(id: string, select: (where: string) => string, test: string, absentPasses: boolean, negated: boolean): string {
  const positive = absentPasses ? `${id} NOT IN (${select(`NOT coalesce((${test}), 0)`)})` : `${id} IN (${select(test)})`
  return negated ? `NOT ${positive}` : positive
}

/** The positive operator of a leaf, compiled over a row of a set, and what an absent value gives. */
function positiveParts(op: Operator, ref: SqlRef, operand: unknown, ctx: Ctx, bind: Bind, absent: unknown) {
  const { positive, negated } = positiveOf(op)
  return { test: positive.sql(ref, operand, ctx, bind), absentPasses: testJs(op, absent, operand, ctx) !== negated, negated }
}

function leafSql(leaf: Leaf, ctx: SqlContext, bind: Bind, probe: boolean, inSegment: (id: number) => string): string {
  const id = probe ? '+u.id' : 'u.id'
  const opCtx = (caseSensitive?: boolean): Ctx => ({ caseSensitive: caseSensitive ?? false, now: ctx.now })
  switch (leaf.type) {
    case 'property': {
      if (leaf.field !== 'jimer_id') return testSql(leaf.operator, COLUMNS[leaf.field], leaf.value, opCtx(leaf.caseSensitive), bind)
      const p = positiveParts(leaf.operator, { v: 'd.anonymous_id', t: `'text'` }, leaf.value, opCtx(leaf.caseSensitive), bind, undefined)
      const project = bind(ctx.projectId)
      // A user with no device has no Jimer ID: the positive fails, as in evaluate.
      return overSet(id, (w) => `SELECT d.user_pk FROM devices d WHERE d.project_id = ${project} AND d.user_pk IS NOT NULL AND ${w}`, p.test, false, p.negated)
    }
    case 'attribute': {
      const c = opCtx(leaf.caseSensitive)
      const key = bind(leaf.key)
      const { positive, negated } = positiveOf(leaf.operator)
      // Probed (inside an OR, or on an ordered walk), a leaf is a lookup of this user's row on
      // the (user, key) primary key: building the key's whole set costs more than the
      // lookups when most users are read anyway (measured 2× the CPU at 1M users).
      if (positive.item) {
        // The text items of list attributes have their own rows: no JSON is read at all.
        const item = positive.item('li.item', leaf.value, c, bind)
        const set = probe
          ? `EXISTS (SELECT 1 FROM user_attribute_items li WHERE li.user_pk = u.id AND li.key = ${key} AND ${item})`
          : `u.id IN (SELECT li.user_pk FROM user_attribute_items li WHERE li.project_id = ${bind(ctx.projectId)} AND li.key = ${key} AND ${item})`
        return `${negated ? 'NOT ' : ''}${set}`
      }
      const p = positiveParts(leaf.operator, { v: 'a.value', t: 'a.type' }, leaf.value, c, bind, undefined)
      if (probe) {
        const row = (w: string) => `EXISTS (SELECT 1 FROM user_attributes a WHERE a.user_pk = u.id AND a.key = ${key} AND ${w})`
        const positiveSql = p.absentPasses ? `NOT ${row(`NOT coalesce((${p.test}), 0)`)}` : row(p.test)
        return p.negated ? `NOT ${positiveSql}` : positiveSql
      }
      const project = bind(ctx.projectId)
      return overSet(id, (w) => `SELECT a.user_pk FROM user_attributes a WHERE a.project_id = ${project} AND a.key = ${key} AND ${w}`, p.test, p.absentPasses, p.negated)
    }
    case 'tag':
      return `${leaf.operator === 'has_none' ? 'NOT ' : ''}${id} IN (SELECT ut.user_pk FROM user_tags ut WHERE ut.tag_id IN (${leaf.tagIds.map(bind).join(', ')}))`
    case 'event': {
      const where = eventScope(leaf, ctx, bind)
      const events = `SELECT e.user_pk FROM events e WHERE ${where.join(' AND ')}`
      // A few users (a drain's scope, a page): each user's own events, on the (user, time) index
      // (named: the covering (project, name, time) index would otherwise win, and read every user's events of the name).
      const own = `FROM events e INDEXED BY events_user_time WHERE e.user_pk = u.id AND ${where.join(' AND ')}`
      if (leaf.measure === 'did' || leaf.measure === 'did_not') {
        return `${leaf.measure === 'did_not' ? 'NOT ' : ''}${ctx.probeOnly ? `EXISTS (SELECT 1 ${own})` : `${id} IN (${events})`}`
      }
      let measure = 'count(*)'
      if (leaf.measure !== 'count') {
        const p = jsonRef('e.properties', leaf.property!, bind)
        // sum() and avg() of REAL: over integers they raise "integer overflow" (see leaf-js's measurer).
        const value = leaf.measure === 'sum' || leaf.measure === 'avg' ? `CAST(${p.v} AS REAL)` : p.v
        measure = `${leaf.measure}(CASE WHEN ${p.t} IN ('integer', 'real') THEN ${value} END)`
      }
      // A user without matching events counts 0, and has nothing to aggregate (NULL fails every comparison).
      // Probed: one aggregate row per user, its own events; count(*) is then 0 without events
      // (evaluate's absent count), the others NULL, which takes what an absent value gives.
      const one = `(SELECT ${measure} ${own})`
      const p = positiveParts(leaf.operator!, { v: ctx.probeOnly ? one : measure, t: `'real'` }, leaf.value, opCtx(), bind, leaf.measure === 'count' ? 0 : null)
      if (ctx.probeOnly) {
        const positive = leaf.measure === 'count' ? `coalesce((${p.test}), 0)` : `CASE WHEN ${one} IS NULL THEN ${p.absentPasses ? 1 : 0} ELSE coalesce((${p.test}), 0) END`
        return p.negated ? `NOT ${positive}` : positive
      }
      // `+e.user_pk`: grouping must not pick the (user, time) index over the (name, time) range.
      return overSet(id, (having) => `${events} GROUP BY +e.user_pk HAVING ${having}`, p.test, p.absentPasses, p.negated)
    }
    case 'experience': {
      const [project, exp] = [bind(ctx.projectId), bind(leaf.experience)]
      if (leaf.action === 'answered') {
        const answer = leaf.answer === undefined ? '' : ` AND ${testSql('is', { v: 'r.answer', t: `CASE WHEN r.answer IS NULL THEN NULL ELSE 'text' END` }, leaf.answer, opCtx(leaf.caseSensitive), bind)}`
        return `${id} IN (SELECT r.user_pk FROM responses r WHERE r.project_id = ${project} AND r.experience_id = ${exp}${answer})`
      }
      const action = bind(leaf.action === 'not_seen' ? 'seen' : leaf.action)
      return `${leaf.action === 'not_seen' ? 'NOT ' : ''}${id} IN (SELECT i.user_pk FROM interactions i WHERE i.project_id = ${project} AND i.experience_id = ${exp} AND i.action = ${action})`
    }
    case 'segment':
      return `${leaf.operator === 'not_in' ? 'NOT ' : ''}(${inSegment(leaf.segmentId)})`
  }
}

