import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@libsql/client'
import { OPERAND, treeSchema, type ConditionTree, type Node } from '../../worker/src/segments/condition.js'
import { evaluate } from '../../worker/src/segments/evaluate.js'
import { explain } from '../../worker/src/segments/explain.js'
import { loadFacts, type UserFacts } from '../../worker/src/segments/facts.js'
import type { SegmentDef } from '../../worker/src/segments/library.js'
import type { SqlContext } from '../../worker/src/segments/to-sql.js'
import { attributeKeys, columnTest, userColumns, type UserColumns } from '../../worker/src/segments/columns.js'
import { dateOf, testJs, testSql } from '../../worker/src/segments/operators.js'
import { portableRegex, regexProblem } from '../../worker/src/segments/regex.js'
import { regexSubject } from '../../worker/src/segments/values.js'
import { binder, toSql } from '../../worker/src/segments/to-sql.js'
import { tempDb } from '../helpers/test-app.js'
import {
  ACTIONS, attributeValue, collect, DATE_TEXT, EVENT_NAMES, HOSTILE_KEYS, hostileValue, MEASURES, NASTY_TEXT, OPERATOR_NAMES,
  poolsOf, populationArb, type AllPools,
} from './arbitraries.js'
import { insertSegments, insertUser, NOW, PROJECT, type UserSpec } from './harness.js'
import { operation, regexArb, subjectsFor, treeArb } from './tree-arbitraries.js'

/** The name SQLite's json_type() gives a parsed JSON value; null when absent. */
function jsonTypeOf(x: unknown): string | null {
  if (x === undefined) return null
  if (x === null) return 'null'
  if (typeof x === 'string') return 'text'
  // JSON.stringify writes integers from 1e21 up with an exponent, which json_type() calls real.
  if (typeof x === 'number') return Number.isInteger(x) && Math.abs(x) < 1e21 ? 'integer' : 'real'
  if (typeof x === 'boolean') return x ? 'true' : 'false'
  return Array.isArray(x) ? 'array' : 'object'
}

/**
 * Reproduce a failure with FC_SEED=<seed>: the population, the segments and the trees all
 * derive from it. FC_SCALE=<n> runs n times as many cases, for a longer hunt.
 */
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31))
const SCALE = Number(process.env.FC_SCALE ?? 1)
const USERS = 200
const TREES = 250 * SCALE

interface Sample { spec: UserSpec; pk: number; facts: UserFacts }

describe('evaluate, explain and to-sql agree on random trees over random users (differential)', () => {
  let db: Awaited<ReturnType<typeof tempDb>>
  let client: Client
  const users: Sample[] = []
  let pools: AllPools
  let hostilePools: AllPools
  let ctx: SqlContext

  beforeAll(async () => {
    db = await tempDb()
    client = db.client
    await client.execute('PRAGMA synchronous = OFF')
    const { ordinary, hostile } = fc.sample(populationArb(USERS), { seed: SEED, numRuns: 1 })[0]
    const specs = [...ordinary, ...hostile]
    pools = poolsOf(specs)
    hostilePools = poolsOf(hostile)
    const segments = segmentsOf(pools)
    await insertSegments(client, segments)
    ctx = { now: NOW, segments: new Map(segments.map((s) => [s.id, s])), projectId: PROJECT }
    for (const spec of specs) users.push({ spec, pk: await insertUser(client, spec), facts: null! })
    for (const u of users) u.facts = (await loadFacts(client, PROJECT, { pk: u.pk }, EVENT_NAMES))!
    columns = userColumns(client)
  })
  afterAll(() => db.dispose())

  /** Segments the trees compose: random dynamic ones (one over the others), static ones, one without conditions. */
  function segmentsOf(p: AllPools): SegmentDef[] {
    const tree = (ids: number[], k: number) => treeSchema.parse(fc.sample(treeArb(p, { depth: 1, segmentIds: ids, maxLeaves: 6 }), { seed: SEED + k, numRuns: 1 })[0])
    const node = (n: Node): ConditionTree => ({ version: 1, root: { type: 'group', logic: 'or', conditions: [n] } })
    return [
      { id: 901, kind: 'dynamic', name: 'random A', tree: tree([], 1) },
      { id: 902, kind: 'static', name: 'hand-picked', tree: null },
      { id: 903, kind: 'dynamic', name: 'random B over A and the static list', tree: tree([901, 902], 2) },
      { id: 904, kind: 'dynamic', name: 'no conditions yet', tree: null },
      { id: 905, kind: 'static', name: 'static with stale conditions', tree: tree([], 3) },
      { id: 906, kind: 'dynamic', name: 'not in B', tree: node({ type: 'segment', operator: 'not_in', segmentId: 903 }) },
    ]
  }

  let columns: UserColumns

  /** The ids to-sql selects, after checking that evaluate, explain and the in-memory columns say the same of every user. */
  async function members(t: ConditionTree): Promise<Set<number>> {
    const b = binder()
    const sql = `SELECT u.id FROM users u WHERE u.project_id = ${b.bind(PROJECT)} AND ${toSql(t, ctx, b.bind)}`
    let rows
    try {
      rows = (await client.execute({ sql, args: b.args })).rows
    } catch (e) {
      throw new Error(`to-sql failed: ${(e as Error).message}\ntree: ${show(t)}\nsql: ${sql}\nargs: ${show(b.args)}`)
    }
    const inSql = new Set(rows.map((r) => Number(r.id)))
    // The same tree compiled to per-user probes (a membership drain's scope, a page walk) selects the same users.
    const bp = binder()
    const probed = `SELECT u.id FROM users u WHERE u.project_id = ${bp.bind(PROJECT)} AND ${toSql(t, { ...ctx, probeOnly: true }, bp.bind)}`
    const inProbes = new Set((await client.execute({ sql: probed, args: bp.args })).rows.map((r) => Number(r.id)))
    if ([...inSql].sort().join() !== [...inProbes].sort().join()) throw new Error(`probes select ${[...inProbes].sort()} where sets select ${[...inSql].sort()}\ntree: ${show(t)}\nsql: ${probed}`)
    const cols = await columns.read(PROJECT, attributeKeys(t, ctx.segments))
    const inColumns = await columnTest(client, cols, t, ctx)
    for (const u of users) {
      const js = evaluate(t, u.facts, ctx)
      const why = explain(t, u.facts, ctx)
      const col = inColumns(cols.at.get(u.pk)!)
      if (js !== inSql.has(u.pk) || why.pass !== js || col !== js) {
        throw new Error([
          `evaluate: ${js}, to-sql: ${inSql.has(u.pk)}, explain: ${why.pass}, columns: ${col}`,
          `tree: ${show(t)}`, `user: ${show(u.spec)}`, `facts: ${show(u.facts)}`, `explain: ${show(why)}`, `sql: ${sql}`, `args: ${show(b.args)}`,
        ].join('\n'))
      }
    }
    return inSql
  }

  it('on at least 10,000 (tree, user) cases per run, covering every leaf kind and operator', async () => {
    const seen = new Set<string>()
    let trees = 0, selected = 0
    const started = performance.now()
    await fc.assert(fc.asyncProperty(treeArb(pools, { depth: 3, segmentIds: [901, 902, 903, 904, 905, 906] }), async (raw) => {
      const t = treeSchema.parse(raw)
      selected += (await members(t)).size
      trees++
      cover(t.root, seen)
    }), { seed: SEED, numRuns: TREES })
    const cases = trees * users.length
    console.log(`differential: seed ${SEED}, ${trees} trees × ${users.length} users = ${cases} cases, ${(100 * selected / cases).toFixed(1)}% selected, ${Math.round(performance.now() - started)} ms`)
    expect(cases).toBeGreaterThanOrEqual(10_000)
    const wanted = [...OPERATOR_NAMES, ...MEASURES.map((m) => `event:${m}`), ...ACTIONS.map((a) => `experience:${a}`),
      'attribute', 'property', 'tag', 'segment', 'where', 'window', 'caseSensitive', 'and', 'or']
    expect(wanted.filter((w) => !seen.has(w))).toEqual([])
  })

  it('a tree means the same after a JSON round trip, and hostile keys and values only change the answer', async () => {
    await fc.assert(fc.asyncProperty(treeArb(hostilePools, { depth: 2, segmentIds: [901, 903], keys: HOSTILE_KEYS }), async (raw) => {
      const t = treeSchema.parse(raw)
      const again = treeSchema.parse(JSON.parse(JSON.stringify(t)))
      expect(JSON.stringify(again)).toBe(JSON.stringify(t))
      expect(JSON.stringify(treeSchema.parse(JSON.parse(JSON.stringify(raw))))).toBe(JSON.stringify(t))
      expect([...await members(again)]).toEqual([...await members(t)])
    }), { seed: SEED, numRuns: 150 * SCALE })
  })

  it('every operator reads any JSON value (and its type) the same in JavaScript and in SQLite', async () => {
    let cases = 0
    const values = fc.array(fc.oneof(attributeValue, hostileValue, NASTY_TEXT), { minLength: 1, maxLength: 30, size: 'max' })
    const arb = values.chain((vs) => fc.tuple(fc.constant(vs), operation(OPERATOR_NAMES, collect(vs))))
    await fc.assert(fc.asyncProperty(arb, async ([vs, { operator, value, caseSensitive }]) => {
      const operand = OPERAND[operator].parse(value)
      const opCtx = { caseSensitive: caseSensitive ?? false, now: NOW }
      const b = binder()
      const sql = `SELECT ${testSql(operator, { v: 'val.value', t: 'val.type' }, operand, opCtx, b.bind)} AS m, val.type AS t FROM json_each(${b.bind(JSON.stringify(vs))}) val ORDER BY val.key`
      const rows = (await client.execute({ sql, args: b.args })).rows
      ;(JSON.parse(JSON.stringify(vs)) as unknown[]).forEach((v, i) => {
        expect(jsonTypeOf(v), show(v)).toBe(rows[i].t)
        const js = testJs(operator, v, operand, opCtx)
        if (js !== (Number(rows[i].m) === 1)) throw new Error(`${operator} ${show(operand)} (caseSensitive ${opCtx.caseSensitive}) of ${show(v)}: JS ${js}, SQLite ${!js}\nsql: ${sql}`)
      })
      cases += vs.length
    }), { seed: SEED, numRuns: 1000 * SCALE })
    console.log(`operators: ${cases} (operator, value) cases`)
  })

  it('an accepted regular expression matches the same text in evaluate, in SQLite and as a RegExp; others are refused', async () => {
    let accepted = 0, refused = 0
    const pattern = fc.oneof(regexArb(['ab', 'A-1', 'é.x', '(a)']), regexArb(['ab', 'A-1', 'é.x', '(a)'], true))
    const cases = pattern.chain((p) => fc.tuple(fc.constant(p), fc.boolean(), subjectsFor(p)))
    await fc.assert(fc.asyncProperty(cases, async ([pattern, caseSensitive, texts]) => {
      if (regexProblem(pattern, caseSensitive)) return void refused++
      accepted++
      const b = binder(), opCtx = { caseSensitive, now: NOW }
      const list = b.bind(JSON.stringify(texts))
      const sql = `SELECT ${testSql('matches', { v: 'val.value', t: 'val.type' }, pattern, opCtx, b.bind)} AS m FROM json_each(${list}) val ORDER BY val.key`
      let rows
      try {
        rows = (await client.execute({ sql, args: b.args })).rows
      } catch (e) {
        throw new Error(`SQLite refused ${show(pattern)} (caseSensitive ${caseSensitive}): ${(e as Error).message}`)
      }
      // evaluate (regexp.c's automaton in JS), SQLite, and what RegExp makes of the pattern.
      const intent = new RegExp(portableRegex(pattern, caseSensitive), 'su')
      texts.forEach((text, i) => {
        const answers = { evaluate: testJs('matches', text, pattern, opCtx), sqlite: Number(rows[i].m) === 1, regExp: intent.test(regexSubject(text)) }
        if (answers.evaluate !== answers.sqlite || answers.regExp !== answers.sqlite) throw new Error(`${show(pattern)} (caseSensitive ${caseSensitive}) on ${show(text)}: ${show(answers)}`)
      })
    }), { seed: SEED, numRuns: 600 * SCALE })
    console.log(`regex (seed ${SEED}): ${accepted} patterns accepted and agreed on up to 24 texts each, ${refused} refused`)
    expect(accepted).toBeGreaterThan(refused)
  })

  it('date text reads as the same instant in JavaScript and in SQLite', async () => {
    await fc.assert(fc.asyncProperty(fc.array(DATE_TEXT, { minLength: 1, maxLength: 40, size: 'max' }), async (texts) => {
      const b = binder(), opCtx = { caseSensitive: false, now: NOW }
      // date_between [d, d] holds only if SQLite reads exactly d; [-1e16, 1e16] holds for any date at all.
      const columns = texts.map((s) => {
        const d = dateOf(s)
        return testSql('date_between', { v: b.bind(s), t: `'text'` }, d === null ? [-1e16, 1e16] : [d, d], opCtx, b.bind)
      })
      const row = (await client.execute({ sql: `SELECT ${columns.map((c, i) => `${c} AS c${i}`).join(', ')}`, args: b.args })).rows[0]
      texts.forEach((s, i) => {
        const d = dateOf(s)
        if ((Number(row[`c${i}`]) === 1) !== (d !== null)) throw new Error(`${show(s)}: JS reads ${d}, SQLite ${d === null ? 'reads a date' : 'reads another instant or none'}`)
      })
    }), { seed: SEED, numRuns: 60 * SCALE })
  })
})

const show = (x: unknown) => JSON.stringify(x)

/** Records which kinds, operators and options a tree exercises. */
function cover(n: Node, seen: Set<string>) {
  if (n.type === 'group') {
    seen.add(n.logic)
    return n.conditions.forEach((c) => cover(c, seen))
  }
  seen.add(n.type)
  if ('caseSensitive' in n && n.caseSensitive !== undefined) seen.add('caseSensitive')
  if (n.type === 'attribute' || n.type === 'property') seen.add(n.operator)
  if (n.type === 'event') {
    seen.add(`event:${n.measure}`)
    if (n.operator) seen.add(n.operator)
    if (n.window) seen.add('window')
    for (const f of n.where ?? []) seen.add('where').add(f.operator)
  }
  if (n.type === 'experience') seen.add(`experience:${n.action}`)
}

describe('inputs the two engines would read differently', () => {
  const tree = (leaf: object) => ({ version: 1, root: { type: 'group', logic: 'and', conditions: [leaf] } })
  const matches = (value: string) => ({ type: 'attribute', key: 'bio', operator: 'matches', value })
  it.each([
    ['a pattern with a NUL (regexp.c reads the pattern as a C string)', matches('a\u0000b'), /NUL/],
    ['\\x00 (regexp.c reads code 0 as the end of the text)', matches('a\\x00'), /x00/],
    ['an escaped surrogate pair (regexp.c reads two characters)', matches('\\uD83C\\uDF89'), /surrogate/],
    ['{0} (regexp.c refuses it)', matches('ab{0}c'), /repeats nothing/],
    ['$ with more pattern after it (regexp.c matches nothing after the end)', matches('a$b?'), /\$ must end/],
    ['a class range starting with an escape', matches('[\\x41-Z]'), /range must start/],
    ['repetitions too large to spell out (regexp.c has 16-bit states)', matches('((a{50}){50}){50}'), /too large/],
    ['a lookahead', matches('(?=a)'), /not supported/],
    ['a lone surrogate in a value (SQLite holds text as UTF-8)', { type: 'attribute', key: 'bio', operator: 'is', value: 'x\ud800' }, /well-formed/],
    ['a lone surrogate in a key', { type: 'attribute', key: 'k\udfff', operator: 'is_set' }, /well-formed/],
  ])('are refused when saved: %s', (_why, leaf, reason) => {
    const r = treeSchema.safeParse(tree(leaf))
    expect(r.success).toBe(false)
    expect(r.error!.issues[0].message).toMatch(reason)
  })
})
