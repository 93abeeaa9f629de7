import { DAY } from './condition.js'
import { portableRegex } from './regex.js'
import { compileNfa, nfaTest, type Nfa } from './regex-nfa.js'
import { parseSqliteDate, regexSubject } from './values.js'

/**
 * The one operator table. Each operator says how it reads in JavaScript (evaluate,
 * explain) and in SQL (to-sql), side by side, so the two cannot drift: a missing
 * operator in either is a compile error (`satisfies Record<Operator, …>`), and the
 * differential tests hold them to the same answers.
 *
 * Shared semantics, both sides:
 * - a value of the wrong type, or no value, fails every positive operator;
 * - a negation is NOT its positive (so a user without the attribute "is not" anything);
 * - case-insensitive matching folds ASCII letters only (SQLite's `lower()`);
 * - text compares by exact code points; numbers compare as numbers; dates are numbers
 *   (epoch ms) or ISO 8601 text as SQLite's date functions read it.
 */
export type Operator =
  | 'is' | 'is_not' | 'contains' | 'not_contains' | 'starts_with' | 'ends_with' | 'is_one_of' | 'matches' | 'is_set' | 'is_not_set'
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between'
  | 'is_true' | 'is_false'
  | 'before' | 'after' | 'date_between' | 'more_than_days_ago' | 'less_than_days_ago' | 'within_next_days'
  | 'list_contains' | 'list_not_contains' | 'list_is_empty' | 'list_is_not_empty'

/** A value to test, in SQL: `v` its value, `t` its JSON type name (NULL when absent). */
export interface SqlRef {
  v: string
  t: string
  /** Never NULL and always an integer (native counters and times): compared plainly, so indexes apply. */
  int?: boolean
}
export interface Ctx { caseSensitive: boolean; now: number }
/** Binds a value as a parameter and returns its placeholder. */
export type Bind = (value: unknown) => string

interface Positive {
  /** Symbol or words for labels: `plan contains "pro"`. */
  label: string
  js(actual: unknown, operand: any, ctx: Ctx): boolean
  sql(ref: SqlRef, operand: any, ctx: Ctx, bind: Bind): string
  /** For list operators: the same test over one text item (`user_attribute_items.item`), which has its own index. */
  item?(column: string, operand: any, ctx: Ctx, bind: Bind): string
  /**
   * The test with its operand worked out once (folded, put in a Set): what `js` runs, and
   * what the compiled interpreters (evaluate, the columns loop) call per user. The ctx
   * passed in has the same case mode; only its `now` is read.
   */
  prepare?(operand: any, caseSensitive: boolean): (actual: unknown, ctx: Ctx) => boolean
}
type Definition = Positive | { negates: Operator; label: string }

const UPPER = /[A-Z]/
const foldText = (s: string) => (UPPER.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s)
const fold = (s: string, ctx: Ctx) => (ctx.caseSensitive ? s : foldText(s))

/** `foldText(a) === folded`, without building the folded copy (ASCII folding keeps the length). */
function foldedEquals(a: string, folded: string): boolean {
  if (a.length !== folded.length) return false
  for (let i = 0; i < a.length; i++) {
    let c = a.charCodeAt(i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== folded.charCodeAt(i)) return false
  }
  return true
}

/** An operator's JS side as its prepared form: one definition, so the two cannot differ. */
function preparedJs(prepare: NonNullable<Positive['prepare']>): Pick<Positive, 'prepare' | 'js'> {
  return { prepare, js: (a, b, c) => prepare(b, c.caseSensitive)(a, c) }
}
const foldSql = (expr: string, ctx: Ctx) => (ctx.caseSensitive ? expr : `lower(${expr})`)
const isText = (x: unknown): x is string => typeof x === 'string'
const isNumber = (x: unknown): x is number => typeof x === 'number'
const TEXT = (r: SqlRef) => `${r.t} = 'text'`
const NUMBER = (r: SqlRef) => `${r.t} IN ('integer', 'real')`
const numberAnd = (r: SqlRef) => (r.int ? '' : `${NUMBER(r)} AND `)

/** A date value as epoch ms, or null: numbers are ms, text is parsed as SQLite parses it. */
export function dateOf(x: unknown): number | null {
  if (isNumber(x)) return x
  if (isText(x)) return parseSqliteDate(x)
  return null
}
const dateSql = (r: SqlRef) => r.int ? r.v :
  `(CASE WHEN ${NUMBER(r)} THEN ${r.v} WHEN ${TEXT(r)} AND ${r.v} GLOB '[0-9][0-9][0-9][0-9]-*' THEN CAST(round(unixepoch(${r.v}, 'subsec') * 1000) AS INTEGER) END)`

/** Compiled patterns by case mode: targeting runs the same few again and again. */
const regexes = [new Map<string, Nfa>(), new Map<string, Nfa>()]
function regexOf(pattern: string, caseSensitive: boolean): Nfa {
  const cache = regexes[caseSensitive ? 1 : 0]
  let re = cache.get(pattern)
  if (!re) {
    if (cache.size >= 1000) cache.clear()
    cache.set(pattern, (re = compileNfa(portableRegex(pattern, caseSensitive))))
  }
  return re
}

function dated(label: string, test: (d: number, operand: any, ctx: Ctx) => boolean, sql: (d: string, operand: any, ctx: Ctx, bind: Bind) => string): Positive {
  return {
    label,
    ...preparedJs((operand) => (a, ctx) => {
      const d = dateOf(a)
      return d !== null && test(d, operand, ctx)
    }),
    sql: (r, operand, ctx, bind) => sql(dateSql(r), operand, ctx, bind),
  }
}

function numeric(label: string, test: (a: number, b: number) => boolean, op: string): Positive {
  return {
    label,
    ...preparedJs((b: number) => (a) => isNumber(a) && test(a, b)),
    sql: (r, b, _c, bind) => `${numberAnd(r)}${r.v} ${op} ${bind(b)}`,
  }
}

export const OPERATORS = {
  is: {
    label: 'is',
    ...preparedJs((b: string, cs) => {
      if (cs) return (a) => isText(a) && a === b
      const fb = foldText(b)
      return (a) => isText(a) && foldedEquals(a, fb)
    }),
    sql: (r, b, c, bind) => `${TEXT(r)} AND ${foldSql(r.v, c)} = ${bind(fold(b, c))}`,
  },
  is_not: { negates: 'is', label: 'is not' },
  contains: {
    label: 'contains',
    ...preparedJs((b: string, cs) => {
      const fb = cs ? b : foldText(b)
      return cs ? (a) => isText(a) && a.includes(fb) : (a) => isText(a) && foldText(a).includes(fb)
    }),
    sql: (r, b, c, bind) => `${TEXT(r)} AND instr(${foldSql(r.v, c)}, ${bind(fold(b, c))}) > 0`,
  },
  not_contains: { negates: 'contains', label: 'does not contain' },
  // Compared as UTF-8 bytes (a byte prefix or suffix is a character one): on text, SQLite's
  // length() and substr() stop at a NUL.
  starts_with: {
    label: 'starts with',
    ...preparedJs((b: string, cs) => {
      const fb = cs ? b : foldText(b)
      return cs ? (a) => isText(a) && a.startsWith(fb) : (a) => isText(a) && foldText(a).startsWith(fb)
    }),
    sql: (r, b, c, bind) => {
      const p = bind(fold(b, c))
      return `${TEXT(r)} AND substr(CAST(${foldSql(r.v, c)} AS BLOB), 1, octet_length(${p})) = CAST(${p} AS BLOB)`
    },
  },
  ends_with: {
    label: 'ends with',
    js: (a, b: string, c) => isText(a) && fold(a, c).endsWith(fold(b, c)),
    sql: (r, b, c, bind) => {
      const p = bind(fold(b, c))
      return `${TEXT(r)} AND substr(CAST(${foldSql(r.v, c)} AS BLOB), -octet_length(${p})) = CAST(${p} AS BLOB)`
    },
  },
  is_one_of: {
    label: 'is one of',
    ...preparedJs((b: string[], cs) => {
      const set = new Set(cs ? b : b.map(foldText))
      return cs ? (a) => isText(a) && set.has(a) : (a) => isText(a) && set.has(foldText(a))
    }),
    sql: (r, b: string[], c, bind) => `${TEXT(r)} AND ${foldSql(r.v, c)} IN (${b.map((x) => bind(fold(x, c))).join(', ')})`,
  },
  matches: {
    label: 'matches',
    // regexp.c's automaton, not RegExp: the same reading as SQL, and no exponential backtracking.
    js: (a, b: string, c) => isText(a) && nfaTest(regexOf(b, c.caseSensitive), regexSubject(a)),
    sql: (r, b: string, c, bind) => `${TEXT(r)} AND ${r.v} REGEXP ${bind(portableRegex(b, c.caseSensitive))}`,
  },
  is_set: { label: 'is set', js: (a) => a !== undefined && a !== null, sql: (r) => `${r.t} IS NOT NULL AND ${r.t} <> 'null'` },
  is_not_set: { negates: 'is_set', label: 'is not set' },

  eq: numeric('=', (a, b) => a === b, '='),
  neq: { negates: 'eq', label: '≠' },
  gt: numeric('>', (a, b) => a > b, '>'),
  gte: numeric('≥', (a, b) => a >= b, '>='),
  lt: numeric('<', (a, b) => a < b, '<'),
  lte: numeric('≤', (a, b) => a <= b, '<='),
  between: {
    label: 'between',
    js: (a, [lo, hi]: [number, number]) => isNumber(a) && a >= lo && a <= hi,
    sql: (r, [lo, hi]: [number, number], _c, bind) => `${numberAnd(r)}${r.v} BETWEEN ${bind(lo)} AND ${bind(hi)}`,
  },

  is_true: { label: 'is true', js: (a) => a === true, sql: (r) => `${r.t} = 'true'` },
  is_false: { label: 'is false', js: (a) => a === false, sql: (r) => `${r.t} = 'false'` },

  before: dated('before', (d, b: number) => d < b, (d, b, _c, bind) => `${d} < ${bind(b)}`),
  after: dated('after', (d, b: number) => d > b, (d, b, _c, bind) => `${d} > ${bind(b)}`),
  date_between: dated('between', (d, [lo, hi]: [number, number]) => d >= lo && d <= hi, (d, [lo, hi], _c, bind) => `${d} BETWEEN ${bind(lo)} AND ${bind(hi)}`),
  more_than_days_ago: dated('more than … days ago', (d, n: number, c) => d < c.now - n * DAY, (d, n, c, bind) => `${d} < ${bind(c.now - n * DAY)}`),
  less_than_days_ago: dated('less than … days ago', (d, n: number, c) => d >= c.now - n * DAY && d <= c.now, (d, n, c, bind) => `${d} BETWEEN ${bind(c.now - n * DAY)} AND ${bind(c.now)}`),
  within_next_days: dated('within the next … days', (d, n: number, c) => d >= c.now && d <= c.now + n * DAY, (d, n, c, bind) => `${d} BETWEEN ${bind(c.now)} AND ${bind(c.now + n * DAY)}`),

  list_contains: {
    label: 'contains',
    ...preparedJs((b: string, cs) => {
      const fb = cs ? b : foldText(b)
      return cs ? (a) => Array.isArray(a) && a.some((x) => isText(x) && x === fb) : (a) => Array.isArray(a) && a.some((x) => isText(x) && foldedEquals(x, fb))
    }),
    // CASE, not AND: SQLite may evaluate both sides of AND, and json_each fails on non-JSON text.
    sql: (r, b, c, bind) => `CASE WHEN ${r.t} = 'array' THEN EXISTS (SELECT 1 FROM json_each(${r.v}) j WHERE j.type = 'text' AND ${foldSql('j.value', c)} = ${bind(fold(b, c))}) END`,
    item: (column, b, c, bind) => `${foldSql(column, c)} = ${bind(fold(b, c))}`,
  },
  list_not_contains: { negates: 'list_contains', label: 'does not contain' },
  list_is_empty: {
    label: 'is empty',
    js: (a) => a === undefined || a === null || (Array.isArray(a) && a.length === 0),
    // SQLite writes an array value minified: the empty one is the text '[]', no parse needed.
    sql: (r) => `CASE WHEN ${r.t} IS NULL OR ${r.t} = 'null' THEN 1 WHEN ${r.t} = 'array' THEN ${r.v} = '[]' ELSE 0 END`,
  },
  list_is_not_empty: { negates: 'list_is_empty', label: 'is not empty' },
} satisfies Record<Operator, Definition>

/** The positive form of an operator, and whether the leaf negates it. */
export function positiveOf(op: Operator): { positive: Positive; negated: boolean } {
  const def: Definition = OPERATORS[op]
  return 'negates' in def ? { positive: OPERATORS[def.negates] as Positive, negated: true } : { positive: def, negated: false }
}

/**
 * An operator with its operand, compiled once for many calls (targeting's closures, the
 * columns loop, event property filters): negation applied, the operand prepared where the
 * table says how, else the table's `js`.
 */
export function prepared(op: Operator, operand: unknown, caseSensitive: boolean): (actual: unknown, ctx: Ctx) => boolean {
  const { test, negated } = preparedPositive(op, operand, caseSensitive)
  return negated ? (a, c) => !test(a, c) : test
}

/** The positive form prepared, and whether the leaf negates it (for "any of several values passes"). */
export function preparedPositive(op: Operator, operand: unknown, caseSensitive: boolean): { test: (actual: unknown, ctx: Ctx) => boolean; negated: boolean } {
  const { positive, negated } = positiveOf(op)
  return { test: positive.prepare ? positive.prepare(operand, caseSensitive) : (a, c) => positive.js(a, operand, c), negated }
}

/** Runs an operator in JavaScript. */
export function testJs(op: Operator, actual: unknown, operand: unknown, ctx: Ctx): boolean {
  const { positive, negated } = positiveOf(op)
  return positive.js(actual, operand, ctx) !== negated
}

/** Compiles an operator to a SQL boolean that is never NULL. */
export function testSql(op: Operator, ref: SqlRef, operand: unknown, ctx: Ctx, bind: Bind): string {
  const { positive, negated } = positiveOf(op)
  const test = positive.sql(ref, operand, ctx, bind)
  // A never-NULL integer gives a never-NULL test: left bare, `u.last_seen < ?` can use an index.
  return `${negated ? 'NOT ' : ''}${ref.int ? `(${test})` : `coalesce((${test}), 0)`}`
}

