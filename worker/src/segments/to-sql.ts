import { DAY, type ConditionTree, type Leaf, type Node, type PropertyField } from './condition.js'
import type { EvalContext } from './library.js'
import { positiveOf, testSql, type Bind, type Ctx, type SqlRef } from './operators.js'

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
 * @example
 * const b = binder()
 * const where = toSql(tree, ctx, b.bind)
 * db.execute({ sql: `SELECT count(*) FROM users u WHERE u.project_id = ${b.bind(projectId)} AND ${where}`, args: b.args })
 */
export function toSql(tree: ConditionTree, ctx: EvalContext, bind: Bind): string {
  const compile = (n: Node, seen: Set<number>): string => {
    if (n.type === 'group') {
      if (n.conditions.length === 0) return n.logic === 'and' ? '1' : '0'
      // Cheapest first: SQLite stops at the first term that decides, so a plain column
      // test can spare the JSON parsing and subqueries behind it. The answer is the same.
      const parts = [...n.conditions].sort((x, y) => cost(x) - cost(y)).map((c) => compile(c, seen))
      return `(${parts.join(n.logic === 'and' ? ' AND ' : ' OR ')})`
    }
    return leafSql(n, ctx, bind, (id) => {
      const s = ctx.segments.get(id)
      if (!s) return '0'
      if (s.kind === 'static') return `EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ${bind(id)} AND sm.user_pk = u.id)`
      // A dynamic segment without conditions has no members: its segment_members rows are a
      // cache, and evaluate reads static memberships only.
      if (!s.tree) return '0'
      if (seen.has(id)) throw new Error(`segment ${id} composes itself`)
      return compile(s.tree.root, new Set([...seen, id]))
    })
  }
  return compile(tree.root, new Set())
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
 * A key of a JSON object column. A path like `$."plan"` is fast, but SQLite's paths cannot
 * quote a key that holds `"` or `\`, and a NUL ends the path: such keys are looked up through
 * json_each instead.
 */
export function jsonRef(column: 'u.attributes' | 'e.properties', key: string, bind: Bind): SqlRef {
  if (!/["\\\u0000]/.test(key)) {
    const path = bind(`$."${key}"`)
    return { v: `json_extract(${column}, ${path})`, t: `json_type(${column}, ${path})` }
  }
  const k = bind(key)
  return { v: `(SELECT value FROM json_each(${column}) WHERE key = ${k})`, t: `(SELECT type FROM json_each(${column}) WHERE key = ${k})` }
}

function leafSql(leaf: Leaf, ctx: EvalContext, bind: Bind, inSegment: (id: number) => string): string {
  const opCtx = (caseSensitive?: boolean): Ctx => ({ caseSensitive: caseSensitive ?? false, now: ctx.now })
  switch (leaf.type) {
    case 'property': {
      if (leaf.field !== 'jimer_id') return testSql(leaf.operator, COLUMNS[leaf.field], leaf.value, opCtx(leaf.caseSensitive), bind)
      const { positive, negated } = positiveOf(leaf.operator)
      const ref = { v: 'd.anonymous_id', t: `'text'` }
      return `${negated ? 'NOT ' : ''}EXISTS (SELECT 1 FROM devices d WHERE d.user_pk = u.id AND coalesce((${positive.sql(ref, leaf.value, opCtx(leaf.caseSensitive), bind)}), 0))`
    }
    case 'attribute':
      return testSql(leaf.operator, jsonRef('u.attributes', leaf.key, bind), leaf.value, opCtx(leaf.caseSensitive), bind)
    case 'tag':
      return `${leaf.operator === 'has_none' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM user_tags ut WHERE ut.user_pk = u.id AND ut.tag_id IN (${leaf.tagIds.map(bind).join(', ')}))`
    case 'event': {
      const where = [`e.user_pk = u.id`, `e.name = ${bind(leaf.event)}`]
      const w = leaf.window
      if (w && 'lastDays' in w) where.push(`e.timestamp >= ${bind(ctx.now - w.lastDays * DAY)}`)
      if (w && 'from' in w && w.from !== undefined) where.push(`e.timestamp >= ${bind(w.from)}`)
      if (w && 'to' in w && w.to !== undefined) where.push(`e.timestamp <= ${bind(w.to)}`)
      for (const f of leaf.where ?? []) where.push(testSql(f.operator, jsonRef('e.properties', f.property, bind), f.value, opCtx(f.caseSensitive), bind))
      if (leaf.measure === 'did' || leaf.measure === 'did_not') {
        return `${leaf.measure === 'did_not' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM events e WHERE ${where.join(' AND ')})`
      }
      let measure = 'count(*)'
      if (leaf.measure !== 'count') {
        const p = jsonRef('e.properties', leaf.property!, bind)
        // sum() and avg() of REAL: over integers they raise "integer overflow" (see sqliteSum).
        const value = leaf.measure === 'sum' || leaf.measure === 'avg' ? `CAST(${p.v} AS REAL)` : p.v
        measure = `${leaf.measure}(CASE WHEN ${p.t} IN ('integer', 'real') THEN ${value} END)`
      }
      // NULL (nothing to aggregate) fails every comparison, as in evaluate.
      return testSql(leaf.operator!, { v: `(SELECT ${measure} FROM events e WHERE ${where.join(' AND ')})`, t: `'real'` }, leaf.value, opCtx(), bind)
    }
    case 'experience': {
      const exp = bind(leaf.experience)
      if (leaf.action === 'answered') {
        const answer = leaf.answer === undefined ? '' : ` AND ${testSql('is', { v: 'r.answer', t: `CASE WHEN r.answer IS NULL THEN NULL ELSE 'text' END` }, leaf.answer, opCtx(leaf.caseSensitive), bind)}`
        return `EXISTS (SELECT 1 FROM responses r WHERE r.user_pk = u.id AND r.experience_id = ${exp}${answer})`
      }
      const action = bind(leaf.action === 'not_seen' ? 'seen' : leaf.action)
      return `${leaf.action === 'not_seen' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM interactions i WHERE i.user_pk = u.id AND i.experience_id = ${exp} AND i.action = ${action})`
    }
    case 'segment':
      return `${leaf.operator === 'not_in' ? 'NOT ' : ''}(${inSegment(leaf.segmentId)})`
  }
}
