import fc from 'fast-check'
import { OPERATORS, type Operator } from '../../worker/src/segments/operators.js'
import { parseSqliteDate } from '../../worker/src/segments/values.js'
import { DAY, NOW, type UserSpec } from './harness.js'

/**
 * fast-check generators for the differential test: values of every JSON type (hostile ones
 * included), a population of users with every kind of fact, and what that population holds
 * (the pools tree-arbitraries.ts draws operands from).
 */
export const OPERATOR_NAMES = Object.keys(OPERATORS) as Operator[]
export const MEASURES = ['did', 'did_not', 'count', 'sum', 'avg', 'min', 'max'] as const
export const ACTIONS = ['seen', 'not_seen', 'completed', 'dismissed', 'answered'] as const

export const HOSTILE_KEYS = ['a.b', 'say "hi"', "it's", 'back\\slash', '$', '$.x', '$[0]', 'a[0]', 'città', '名前', '🎉', `'; DROP TABLE users; --`,
  '__proto__', 'constructor', 'toString', 'tab\tkey', 'new\nline', 'nul\u0000key', ' ', '%_']
export const KEYS = ['plan', 'seats', 'mrr', 'beta', 'renewal', 'roles', 'profile', 'Plan', ...HOSTILE_KEYS]
export const PROP_KEYS = ['total', 'currency', 'stars', 'a"b', 'a.b', '$', '🎉', '__proto__', 'nul\u0000key']
export const EVENT_NAMES = ['signup', 'order_placed', 'login', 'Signup', 'page view', "it's", '🎉', 'order.placed']
export const EXPERIENCES = ['tour', 'nps', 'Tour', 'ünï "x"']
export const TAGS = [1, 2, 3, 4, 5, 6]
/** Segment ids the population may be a static member of; the test defines them. */
export const SEGMENT_IDS = [901, 902, 903, 904, 905]

export const HOSTILE_TEXT = [`'; DROP TABLE users; --`, `" OR 1=1 --`, '$.plan', '$[0]', 'a.b', 'back\\slash', "O'Brien", 'say "hi"', '%_', '*?[',
  'a\u0000b', '\u0000', 'x\ud800y', '\udfff', 'line\nbreak', '\t', 'Ünïcödé', 'İSTANBUL', 'straße', '𝄞 clef', '🎉🎉', 'กขค', 'नमस्ते', '', ' ', 'NULL', 'true', '0', '1e3']
export const WORDS = ['pro', 'PRO', 'Pro', 'free', 'admin', 'user', 'ann@acme.io', 'Ann@ACME.io', 'évry', 'ÉVRY', 'roma', 'fr', 'DE', 'a', 'A', 'ab', 'aB-1_x']
const EDGE_DATES = ['2026-11-15', '2026-13-01', '2026-02-31', '2026-11-01T00:00:00.9999', '2026-11-01T00:00:00.0005Z', '9999-12-31T23:00:00-14:00',
  '0000-01-01 00:00+14:00', '0000-01-01', '2026-11-15T24:00', '2026-11-15T10:00 Z ', '2026-11-15\u0000junk', '2026-1-5', '20261115', '2026-11-15T10:00:60',
  '2026-11-15 10:00:00.123456789', '2026-11-15TTT10:00', '2026-11-15T10', '2026-11-15T10:00+15:00', '2026-11-15T10:00-0500', 'soon']
export const EDGE_NUMBERS = [0, -0, 1, -1, 0.1, 0.2, 0.30000000000000004, 19.99, 1e-7, 2 ** 53, 2 ** 53 + 2, 9e15, 9e18, 9.3e18, 1e19, 1e21,
  1e300, -1e300, 1.7976931348623157e308, 5e-324]

/** Numbers whose sums overflow int64, lose precision past 2^53 or become infinite. */
const EXTREME_NUMBERS = [9e18, 1e308, 2 ** 53, 1, 0.5]

export const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)

/** Dates as users send them: ISO text in several spellings, around NOW (some on exact day boundaries). */
export const instant = fc.oneof(fc.integer({ min: -400, max: 400 }).map((d) => NOW + d * DAY), fc.integer({ min: NOW - 400 * DAY, max: NOW + 400 * DAY }))
const dateText = fc.tuple(instant, fc.nat(7)).map(([ms, k]) => {
  const iso = new Date(ms).toISOString()
  return [iso, iso.slice(0, 10), iso.slice(0, 16).replace('T', ' '), iso.slice(0, 19) + '+05:30', iso.slice(0, 19) + 'z  ', iso.slice(0, 19) + '.9996', `${iso.slice(0, 10)}T${iso.slice(11, 19)}-00:30`, iso.toLowerCase()][k]
})

/** Date-like text, valid or nearly so: a character replaced or inserted here and there. */
export const DATE_TEXT = fc.oneof(
  { weight: 3, arbitrary: dateText },
  { weight: 1, arbitrary: pick(EDGE_DATES) },
  { weight: 3, arbitrary: fc.tuple(dateText, fc.nat(), pick([...'0123456789-:T Z+.z\u0000\t']), fc.boolean())
    .map(([s, i, c, insert]) => s.slice(0, i % (s.length + 1)) + c + s.slice((i % (s.length + 1)) + (insert ? 0 : 1))) },
)

/** Short text from characters the two engines are most likely to read differently. */
export const NASTY_TEXT = fc.string({ unit: pick(['a', 'A', 'b', 'é', '𝄞', '\u0000', '\ud800', '\n', '-', ' ', '2', '0', ':', 'T']), maxLength: 6 })

const stringValue = fc.oneof(
  { weight: 1, arbitrary: NASTY_TEXT },
  { weight: 4, arbitrary: pick(WORDS) },
  { weight: 2, arbitrary: dateText },
  { weight: 1, arbitrary: pick(EDGE_DATES) },
  { weight: 2, arbitrary: pick(HOSTILE_TEXT) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 5 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'B', '-', '0', ' ', 'é', '\n'), maxLength: 5 }) },
)
const numberValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 100 }) },
  { weight: 2, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: instant },
  { weight: 1, arbitrary: pick(EDGE_NUMBERS) },
)
const scalar = fc.oneof({ weight: 4, arbitrary: stringValue }, { weight: 3, arbitrary: numberValue }, fc.boolean(), fc.constant(null))
const list = fc.array(fc.oneof({ weight: 3, arbitrary: stringValue }, numberValue), { maxLength: 4 })
const object = <V>(keys: string[], value: fc.Arbitrary<V>, maxLength: number) =>
  fc.uniqueArray(fc.tuple(pick(keys), value), { selector: ([k]) => k, maxLength }).map((es) => Object.fromEntries(es) as Record<string, V>)
export const attributeValue = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: list },
  { weight: 1, arbitrary: object(KEYS, scalar, 2) },
  { weight: 1, arbitrary: fc.array(list, { maxLength: 2 }) },
)

/** NOTE: libsql reads TEXT columns up to the first NUL, so native text fields never hold one (JSON columns do). */
const nativeText = (words: string[]) => fc.oneof(pick(words), fc.string({ unit: 'grapheme', maxLength: 4 })).map((s) => s.replaceAll('\u0000', ''))

function userArb(attributes: fc.Arbitrary<Record<string, unknown>>, props: fc.Arbitrary<Record<string, unknown>>, eventNames = EVENT_NAMES): fc.Arbitrary<UserSpec> {
  return fc.record({
    userId: fc.option(pick(['cus_', 'user-', 'CUS_', "o'brien", '🎉', 'a"b']), { nil: null }),
    email: fc.option(nativeText(['ann@acme.io', 'Ann@ACME.io', 'bob@globex.com', "o'brien@x.io", '']), { nil: null }),
    name: fc.option(nativeText(['Joanne', 'ANN', 'Zoë', 'ann', '', ' ', "O'Brien", '名前']), { nil: null }),
    status: pick(['active', 'disabled', 'Active', 'archived']),
    createdAt: instant, firstSeen: instant, lastSeen: instant,
    sessions: fc.nat(50), eventsCount: fc.nat(50),
    attributes,
    devices: fc.array(pick(['hONp-fx', 'abcd', 'HONP', '🎉-dev', "o'b\"x"]), { maxLength: 3 }),
    tags: fc.subarray(TAGS),
    events: fc.array(fc.record({
      name: pick(eventNames),
      at: fc.oneof(fc.integer({ min: 0, max: 60 }).map((d) => NOW - d * DAY), fc.integer({ min: NOW - 60 * DAY, max: NOW + DAY })),
      props,
    }), { maxLength: 6 }),
    interactions: fc.array(fc.record({ experience: pick(EXPERIENCES), action: pick(['seen', 'completed', 'dismissed', 'clicked']) }), { maxLength: 3 }),
    responses: fc.array(fc.record({ experience: pick(EXPERIENCES), answer: fc.option(nativeText(['yes', 'YES', 'no', '9', '']), { nil: null }) }), { maxLength: 2 }),
    staticSegments: fc.subarray(SEGMENT_IDS),
  })
}

const ordinaryUser = userArb(object(KEYS, attributeValue, 6),
  object(PROP_KEYS, fc.oneof({ weight: 4, arbitrary: numberValue }, { weight: 2, arbitrary: stringValue }, fc.boolean(), fc.constant(null)), 4))
export const hostileValue = fc.oneof(pick(HOSTILE_TEXT), pick(EDGE_NUMBERS), pick(EDGE_DATES), fc.array(pick(HOSTILE_TEXT), { maxLength: 3 }))
// Hostile users hold hostile keys and values only, so that trees about them hit often.
// Their events share two names and always carry a `total` from a few extreme numbers, so that
// sums and averages overflow, lose precision or become infinite.
const extremeProps = fc.tuple(pick(EXTREME_NUMBERS), object(['a"b', 'nul\u0000key', '__proto__'], fc.oneof(pick(EDGE_NUMBERS), pick(HOSTILE_TEXT)), 3))
  .map(([total, rest]) => ({ ...rest, total }))
// A key no condition can name (a lone surrogate) sits among them.
const hostileUser = userArb(object([...HOSTILE_KEYS, 'lone\ud800'], hostileValue, 10), extremeProps, EVENT_NAMES.slice(0, 2))

/** N users, a fifth of them hostile; user ids and Jimer IDs are made unique, as the database requires. */
export const populationArb = (n: number) => fc.tuple(
  fc.array(ordinaryUser, { minLength: n - Math.floor(n / 5), maxLength: n - Math.floor(n / 5) }),
  fc.array(hostileUser, { minLength: Math.floor(n / 5), maxLength: Math.floor(n / 5) }),
).map(([ordinary, hostile]) => {
  const unique = (u: UserSpec, i: number): UserSpec => ({ ...u, userId: u.userId === null ? null : `${u.userId}${i}`, devices: u.devices!.map((d, j) => `${d}${i}.${j}`) })
  return { ordinary: ordinary.map(unique), hostile: hostile.map((u, i) => unique(u, ordinary.length + i)) }
})

/** What the population holds, for operands that hit real values. */
export interface Pools { strings: string[]; numbers: number[]; dates: number[] }
export interface AllPools {
  any: Pools
  byKey: Map<string, Pools>
  props: Pools
  fields: Record<string, Pools>
  answers: string[]
  /** [event name, property] pairs users hold numbers for, and what sums, averages, minima and maxima come to. */
  eventProps: [string, string][]
  aggregates: number[]
}

/** The strings, numbers and dates (as epoch ms) found anywhere in some values. */
export function collect(values: unknown[]): Pools {
  const p: Pools = { strings: [], numbers: [], dates: [] }
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      p.strings.push(v)
      const d = parseSqliteDate(v)
      if (d !== null && Number.isSafeInteger(d)) p.dates.push(d)
    } else if (typeof v === 'number') {
      p.numbers.push(v)
      if (Number.isSafeInteger(v) && Math.abs(v) < 8e15) p.dates.push(v)
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  values.forEach(walk)
  const dedupe = <T>(xs: T[]) => [...new Set(xs)]
  return { strings: dedupe(p.strings), numbers: dedupe(p.numbers), dates: dedupe(p.dates) }
}

export function poolsOf(users: UserSpec[]): AllPools {
  const byKey = new Map(KEYS.map((k) => [k, collect(users.map((u) => (Object.hasOwn(u.attributes!, k) ? u.attributes![k] : undefined)))]))
  const field = (f: (u: UserSpec) => unknown) => collect(users.map(f))
  return {
    any: collect(users.map((u) => u.attributes)),
    byKey,
    props: collect(users.flatMap((u) => u.events!.map((e) => e.props))),
    fields: {
      name: field((u) => u.name), email: field((u) => u.email), user_id: field((u) => u.userId), jimer_id: field((u) => u.devices), status: field((u) => u.status),
      created: field((u) => u.createdAt), first_seen: field((u) => u.firstSeen), last_seen: field((u) => u.lastSeen),
      sessions: field((u) => u.sessions), events_count: field((u) => u.eventsCount), identified: field(() => null),
    },
    answers: collect(users.flatMap((u) => u.responses!.map((r) => r.answer))).strings,
    ...aggregatesOf(users),
  }
}

function aggregatesOf(users: UserSpec[]) {
  const pairs = new Map<string, [string, string]>()
  const aggregates = new Set<number>()
  for (const u of users) {
    const byPair = new Map<string, number[]>()
    for (const e of u.events!) for (const [k, v] of Object.entries(e.props ?? {})) {
      if (typeof v !== 'number') continue
      const id = JSON.stringify([e.name, k])
      pairs.set(id, [e.name, k])
      byPair.set(id, [...(byPair.get(id) ?? []), v])
    }
    for (const vs of byPair.values()) {
      const sum = vs.reduce((a, b) => a + b, 0)
      for (const x of [sum, sum / vs.length, Math.min(...vs), Math.max(...vs)]) if (Number.isFinite(x)) aggregates.add(x)
    }
  }
  return { eventProps: [...pairs.values()], aggregates: [...aggregates] }
}
