import fc from 'fast-check'
import { FIELD_KIND, KIND_OPERATORS, PROPERTY_FIELDS, type Node } from '../../worker/src/segments/condition.js'
import type { Operator } from '../../worker/src/segments/operators.js'
import { regexProblem } from '../../worker/src/segments/regex.js'
import { ACTIONS, EDGE_NUMBERS, EVENT_NAMES, EXPERIENCES, HOSTILE_TEXT, instant, KEYS, MEASURES, OPERATOR_NAMES, pick, PROP_KEYS, TAGS, WORDS, type AllPools, type Pools } from './arbitraries.js'
import { DAY, NOW } from './harness.js'

/**
 * fast-check generators of condition trees (as the API receives them) whose operands are drawn
 * from what the population actually holds — a value, a case change or a slice of it, a date
 * to the millisecond — so that trees select some users and not others.
 */

const cps = (s: string) => [...s]
const swapCase = (s: string) => s.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))

/** Text operands: a real value (case-changed, or a slice of it), a hostile string, or noise. */
function textArb(pool: string[], nonEmpty: boolean): fc.Arbitrary<string> {
  const real = pick(pool.length ? pool : WORDS)
  const arb = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(real, fc.nat(3)).map(([s, k]) => [s, s, s.toUpperCase(), swapCase(s)][k]) },
    { weight: 3, arbitrary: fc.tuple(real, fc.nat(), fc.nat(), fc.boolean()).map(([s, a, b, up]) => {
      const c = cps(s), i = a % (c.length + 1), j = i + (b % (c.length - i + 1))
      const slice = c.slice(i, j).join('')
      return up ? slice.toUpperCase() : slice
    }) },
    { weight: 1, arbitrary: pick(HOSTILE_TEXT) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  )
  return nonEmpty ? arb.filter((s) => s.length > 0) : arb
}

function numberArb(pool: number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(pick(pool.length ? pool : [0, 1]), pick([0, 0, 1, -1, 0.5, -1e-9])).map(([n, d]) => n + d) },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 100 }) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: pick(EDGE_NUMBERS) },
  ).filter(Number.isFinite)
}

/** Dates as a condition holds them: epoch ms or ISO text, often exactly at (or 1 ms beside) a user's date. */
function dateArb(pool: number[]): fc.Arbitrary<number | string> {
  const ms = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(pick(pool.length ? pool : [NOW]), pick([0, 0, 1, -1, DAY, -DAY])).map(([d, k]) => d + k) },
    { weight: 1, arbitrary: instant },
  )
  return fc.tuple(ms, fc.boolean()).map(([d, iso]) => (iso && Math.abs(d) < 8e15 ? new Date(d).toISOString() : d))
}
const daysArb = fc.oneof(pick([0, 1, 2, 7, 30, 45, 90, 365]), fc.integer({ min: 0, max: 500 }))

// Regular expressions from the portable subset, built from pieces (tests may also ask for hostile extras).
const REGEX_CHARS = ['a', 'b', 'A', 'B', 'z', '0', '1', '9', ' ', '-', '_', '@', 'é', 'É', 'ก', 'न', '𝄞', '🎉', '\uFFFD', "'", '"', '%', ',', '\n']
const SPECIAL = ['\\.', '\\\\', '\\$', '\\^', '\\(', '\\)', '\\[', '\\]', '\\{', '\\}', '\\|', '\\*', '\\+', '\\?', '\\t', '\\n', '\\x41', '\\x2d', '\\u00e9', '\\u0e01']
const CLASS_ITEMS = ['a-z', 'A-Z', '0-9', 'a-f', 'B-D', 'b', 'A', '-', '_', '.', '$', '^', '\\d', '\\w', '\\s', '\\]', '\\[', '\\\\', '\\x41', '\\u00e9', 'é', 'ก', '𝄞', '\\t', ' ', '|', '(']
const QUANTIFIERS = ['', '', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '*?', '+?', '??', '{1,2}?']
const HOSTILE_QUANTIFIERS = ['{0}', '{0,0}', '{0,}', '{3,1}', '{1000}', '**', '???', '{,2}']
const HOSTILE_REGEX_PIECES = ['^', '$', '\\b', '{0}', '{0,}', '\\-', '\\uD83C\\uDF89', '\\x00', '[^]', '(?:a)', '\\B', '\\1', '[a-\\d]', '[\\d-z]', 'a**', '[[:alpha:]]', '\u0000']

/** A pattern; `hostile` mixes in constructs outside the portable subset, or read differently by the two engines. */
export function regexArb(pool: string[], hostile = false): fc.Arbitrary<string> {
  const extras = hostile ? HOSTILE_REGEX_PIECES : []
  const quantifier = hostile ? fc.oneof({ weight: 8, arbitrary: pick(QUANTIFIERS) }, pick(HOSTILE_QUANTIFIERS)) : pick(QUANTIFIERS)
  const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|-]/g, (c) => (c === '-' ? '-' : '\\' + c))
  const literal = fc.oneof(pick(REGEX_CHARS), pick(SPECIAL), fc.tuple(pick(pool.length ? pool : WORDS), fc.nat(), fc.nat(3))
    .map(([s, a, n]) => escape(cps(s).slice(a % (cps(s).length + 1), (a % (cps(s).length + 1)) + n + 1).join('')) || 'a'))
  const klass = fc.tuple(fc.boolean(), fc.array(pick(CLASS_ITEMS), { minLength: 1, maxLength: 4 })).map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`)
  const shorthand = pick(['.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S'])
  const piece = (depth: number): fc.Arbitrary<string> => {
    const atoms = [{ weight: 4, arbitrary: literal }, { weight: 2, arbitrary: klass }, { weight: 2, arbitrary: shorthand }]
    if (depth > 0) atoms.push({ weight: 2, arbitrary: alternation(depth - 1).map((a) => `(${a})`) })
    const quantified = fc.tuple(fc.oneof(...atoms), quantifier).map(([a, q]) => a + q)
    // Assertions and hostile pieces come without a quantifier (JavaScript refuses most quantified ones).
    return fc.oneof({ weight: 8, arbitrary: quantified }, { weight: 1, arbitrary: pick(['\\b', ...extras]) })
  }
  const alternation = (depth: number): fc.Arbitrary<string> =>
    fc.array(fc.array(piece(depth), { minLength: 1, maxLength: 3 }).map((ps) => ps.join('')), { minLength: 1, maxLength: 2 }).map((as) => as.join('|'))
  return fc.tuple(fc.boolean(), alternation(1), fc.boolean()).map(([start, body, end]) => `${start ? '^' : ''}${body}${end ? '$' : ''}`)
}

/**
 * Texts for a pattern to search: made of the pattern's own characters and of those the two
 * engines read differently (NUL, a lone surrogate, U+FFFD, astral, newline), so many match.
 */
export function subjectsFor(pattern: string): fc.Arbitrary<string[]> {
  const own = [...pattern].filter((c) => !'\\^$.*+?()[]{}|'.includes(c))
  const unit = pick([...new Set([...own, 'a', 'Z', '0', '-', ' ', '\n', 'é', '𝄞', '\u0000', '\ud800', '\uFFFD'])])
  return fc.array(fc.string({ unit, maxLength: 8 }), { minLength: 1, maxLength: 24, size: 'max' })
}

/** The operand an operator takes, drawn from the values it will be compared with. */
function operandArb(op: Operator, p: Pools): fc.Arbitrary<unknown> {
  switch (op) {
    case 'is': case 'is_not': case 'list_contains': case 'list_not_contains': return textArb(p.strings, false)
    case 'contains': case 'not_contains': case 'starts_with': case 'ends_with': return textArb(p.strings, true)
    case 'is_one_of': return fc.array(textArb(p.strings, false), { minLength: 1, maxLength: 4 })
    case 'matches': return regexArb(p.strings)
    case 'eq': case 'neq': case 'gt': case 'gte': case 'lt': case 'lte': return numberArb(p.numbers)
    case 'between': return fc.tuple(numberArb(p.numbers), numberArb(p.numbers), fc.nat(4)).map(([a, b, k]) => (k ? [Math.min(a, b), Math.max(a, b)] : [a, b]))
    case 'before': case 'after': return dateArb(p.dates)
    case 'date_between': return fc.tuple(dateArb(p.dates), dateArb(p.dates))
    case 'more_than_days_ago': case 'less_than_days_ago': case 'within_next_days': return daysArb
    default: return fc.constant(undefined)
  }
}

/** Conditions refuse lone surrogates (values may hold them): operands replace them as SQLite's UTF-8 would. */
const wellFormed = (v: unknown): unknown =>
  typeof v === 'string' ? v.replace(/\p{Cs}/gu, '\uFFFD') : Array.isArray(v) ? v.map(wellFormed) : v

/** `{ operator, value?, caseSensitive? }` for an operator over values like `p`; a regex must suit its case mode. */
export function operation(ops: readonly Operator[], p: Pools) {
  return pick(ops).chain((operator) => fc.tuple(operandArb(operator, p).map(wellFormed), fc.option(fc.boolean(), { nil: undefined }))
    .filter(([value, cs]) => operator !== 'matches' || regexProblem(value as string, cs ?? false) === undefined)
    .map(([value, caseSensitive]) => ({ operator, ...(value === undefined ? {} : { value }), ...(caseSensitive === undefined ? {} : { caseSensitive }) })))
}

const COMPARE = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'] as const

function eventLeaf(pools: AllPools): fc.Arbitrary<Node> {
  const window = fc.oneof(
    fc.integer({ min: 1, max: 60 }).map((lastDays) => ({ lastDays })),
    fc.record({ from: dateArb(pools.props.dates.concat(NOW - 10 * DAY)), to: dateArb([NOW - 2 * DAY, NOW]) }, { requiredKeys: [] }),
  )
  const filter = pick(PROP_KEYS).chain((property) => operation(OPERATOR_NAMES, pools.props).map((o) => ({ property, ...o })))
  // Mostly an (event, property) pair some user holds numbers for, so aggregates have something to add.
  const pair = fc.oneof(pools.eventProps.length ? pick(pools.eventProps) : fc.constant(['login', 'total'] as [string, string]), fc.tuple(pick(EVENT_NAMES), pick(PROP_KEYS)))
  return fc.record({
    pair,
    measure: pick(MEASURES),
    window: fc.option(window, { nil: undefined }),
    where: fc.option(fc.array(filter, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }).chain(({ measure, pair: [event, property], window, where }) => {
    const base = { type: 'event', event, measure, ...(window ? { window } : {}), ...(where ? { where } : {}) }
    if (measure === 'did' || measure === 'did_not') return fc.constant(base as Node)
    const nums = measure === 'count' ? [0, 1, 2, 3] : [...pools.aggregates, ...pools.props.numbers]
    return operation(COMPARE, { strings: [], numbers: nums, dates: [] })
      .map(({ operator, value }) => ({ ...base, ...(measure === 'count' ? {} : { property }), operator, value }) as Node)
  })
}

export function leafArb(pools: AllPools, segmentIds: number[], keys = KEYS): fc.Arbitrary<Node> {
  const valuesOf = (key: string) => {
    const p = pools.byKey.get(key)
    return p && p.strings.length + p.numbers.length ? p : pools.any
  }
  const attribute = pick(keys).chain((key) => operation(OPERATOR_NAMES, valuesOf(key)).map((o) => ({ type: 'attribute', key, ...o }) as Node))
  const property = pick(PROPERTY_FIELDS).chain((field) => operation(KIND_OPERATORS[FIELD_KIND[field]], pools.fields[field]).map((o) => ({ type: 'property', field, ...o }) as Node))
  const tag = fc.record({ type: fc.constant('tag'), operator: pick(['has_any', 'has_none']), tagIds: fc.uniqueArray(pick([...TAGS, 99]), { minLength: 1, maxLength: 3 }) })
  const experience = fc.record({
    type: fc.constant('experience'), experience: pick(EXPERIENCES), action: pick(ACTIONS),
    answer: textArb(pools.answers, false).map(wellFormed), caseSensitive: fc.boolean(),
  }, { requiredKeys: ['type', 'experience', 'action'] })
  const segment = fc.record({ type: fc.constant('segment'), operator: pick(['in', 'not_in']), segmentId: pick([...segmentIds, 999]) })
  return fc.oneof(
    { weight: 6, arbitrary: attribute },
    { weight: 3, arbitrary: property },
    { weight: 3, arbitrary: eventLeaf(pools) },
    { weight: 1, arbitrary: tag as fc.Arbitrary<Node> },
    { weight: 1, arbitrary: experience as fc.Arbitrary<Node> },
    ...(segmentIds.length ? [{ weight: 1, arbitrary: segment as fc.Arbitrary<Node> }] : []),
  )
}

const leafCount = (n: Node): number => (n.type === 'group' ? n.conditions.reduce((s, c) => s + leafCount(c), 0) : 1)

/** A raw tree (as the API receives it): groups nest `depth` deep below the root. */
export function treeArb(pools: AllPools, opts: { depth: number; segmentIds: number[]; maxLeaves?: number; keys?: string[] }) {
  const leaf = leafArb(pools, opts.segmentIds, opts.keys)
  const group = (depth: number): fc.Arbitrary<Node> => fc.record({
    type: fc.constant('group' as const),
    logic: pick(['and', 'or'] as const),
    conditions: fc.array(depth > 0 ? fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 1, arbitrary: group(depth - 1) }) : leaf, { maxLength: 4 }),
  })
  return group(opts.depth).filter((g) => leafCount(g) <= (opts.maxLeaves ?? 24)).map((root) => ({ version: 1 as const, root }))
}
