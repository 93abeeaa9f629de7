import type { Leaf, Node } from '../../worker/src/segments/condition.js'
import type { SegmentDef } from '../../worker/src/segments/library.js'
import { DAY, NOW, type UserSpec } from './harness.js'

/** The engine's spec: [name, condition, user, expected]. A bug fix starts as a row here. */
export type Fixture = [string, Node, UserSpec, boolean]

const attr = (key: string, operator: Leaf extends infer L ? any : never, value?: unknown, caseSensitive?: boolean): Node =>
  ({ type: 'attribute', key, operator, ...(value === undefined ? {} : { value }), ...(caseSensitive === undefined ? {} : { caseSensitive }) }) as Node
const prop = (field: string, operator: string, value?: unknown, caseSensitive?: boolean): Node =>
  ({ type: 'property', field, operator, ...(value === undefined ? {} : { value }), ...(caseSensitive === undefined ? {} : { caseSensitive }) }) as Node
const and = (...conditions: Node[]): Node => ({ type: 'group', logic: 'and', conditions })
const or = (...conditions: Node[]): Node => ({ type: 'group', logic: 'or', conditions })
const ev = (e: Record<string, unknown>): Node => ({ type: 'event', ...e }) as Node
const withAttrs = (attributes: Record<string, unknown>): UserSpec => ({ attributes })
const HOSTILE = `'; DROP TABLE users; -- "$.x" \\ %_ ☃ 𝄞`

/** Segments that composition fixtures refer to (ids 901+). */
export const SEGMENTS: SegmentDef[] = [
  { id: 901, kind: 'dynamic', name: 'Pro plan', tree: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } },
  { id: 902, kind: 'static', name: 'VIP list', tree: null },
  { id: 903, kind: 'dynamic', name: 'Pro and VIP', tree: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: 901 }, { type: 'segment', operator: 'in', segmentId: 902 }] } } },
]

export const FIXTURES: Fixture[] = [
  // strings
  ['is: equal ignoring ASCII case', attr('plan', 'is', 'PRO'), withAttrs({ plan: 'pro' }), true],
  ['is: case-sensitive when asked', attr('plan', 'is', 'PRO', true), withAttrs({ plan: 'pro' }), false],
  ['is: only ASCII letters fold', attr('city', 'is', 'ÉVRY'), withAttrs({ city: 'évry' }), false],
  ['is: a number is not the text "5"', attr('plan', 'is', '5'), withAttrs({ plan: 5 }), false],
  ['is: missing fails', attr('plan', 'is', 'pro'), withAttrs({}), false],
  ['is_not: missing passes (negation of is)', attr('plan', 'is_not', 'pro'), withAttrs({}), true],
  ['is_not: other value passes', attr('plan', 'is_not', 'pro'), withAttrs({ plan: 'free' }), true],
  ['is_not: same value fails', attr('plan', 'is_not', 'pro'), withAttrs({ plan: 'Pro' }), false],
  ['contains', attr('email2', 'contains', 'ACME'), withAttrs({ email2: 'ann@acme.io' }), true],
  ['contains: absent substring', attr('email2', 'contains', 'globex'), withAttrs({ email2: 'ann@acme.io' }), false],
  ['not_contains', attr('email2', 'not_contains', 'globex'), withAttrs({ email2: 'ann@acme.io' }), true],
  ['contains: % and _ are literal', attr('code', 'contains', '%_'), withAttrs({ code: 'a%_b' }), true],
  ['contains: % is not a wildcard', attr('code', 'contains', '%'), withAttrs({ code: 'abc' }), false],
  ['starts_with', attr('role', 'starts_with', 'Adm'), withAttrs({ role: 'admin' }), true],
  ['starts_with: longer than the value', attr('role', 'starts_with', 'administrator'), withAttrs({ role: 'admin' }), false],
  ['starts_with: astral characters', attr('sym', 'starts_with', '𝄞'), withAttrs({ sym: '𝄞 clef' }), true],
  ['ends_with', attr('email2', 'ends_with', '.IO'), withAttrs({ email2: 'ann@acme.io' }), true],
  ['ends_with: not at the end', attr('email2', 'ends_with', 'acme'), withAttrs({ email2: 'ann@acme.io' }), false],
  ['ends_with: operand longer than value', attr('x', 'ends_with', 'xabc'), withAttrs({ x: 'abc' }), false],
  ['ends_with: astral characters', attr('sym', 'ends_with', 'clef 𝄞'), withAttrs({ sym: 'a clef 𝄞' }), true],
  ['is_one_of', attr('lang', 'is_one_of', ['fr', 'DE']), withAttrs({ lang: 'de' }), true],
  ['is_one_of: none', attr('lang', 'is_one_of', ['fr', 'de']), withAttrs({ lang: 'en' }), false],
  ['matches: digits class', attr('phone', 'matches', '^\\+33\\d{9}$'), withAttrs({ phone: '+33612345678' }), true],
  ['matches: \\d is ASCII only on both sides', attr('phone', 'matches', '^\\d+$'), withAttrs({ phone: '١٢٣' }), false],
  ['matches: case-insensitive by default', attr('name2', 'matches', '^ann'), withAttrs({ name2: 'ANNA' }), true],
  ['matches: case-sensitive when asked', attr('name2', 'matches', '^ann', true), withAttrs({ name2: 'ANNA' }), false],
  ['matches: dot matches a newline', attr('bio', 'matches', 'a.b'), withAttrs({ bio: 'a\nb' }), true],
  ['matches: \\s is ASCII whitespace', attr('bio', 'matches', 'a\\sb'), withAttrs({ bio: 'a\u00a0b' }), false],
  ['is_set', attr('plan', 'is_set'), withAttrs({ plan: '' }), true],
  ['is_set: missing', attr('plan', 'is_set'), withAttrs({}), false],
  ['is_not_set: missing', attr('plan', 'is_not_set'), withAttrs({}), true],
  ['is_set: false is a value', attr('beta', 'is_set'), withAttrs({ beta: false }), true],
  // numbers
  ['eq', attr('seats', 'eq', 3), withAttrs({ seats: 3 }), true],
  ['eq: integer equals real', attr('seats', 'eq', 3), withAttrs({ seats: 3.0 }), true],
  ['eq: text "3" is not a number', attr('seats', 'eq', 3), withAttrs({ seats: '3' }), false],
  ['eq: true is not 1', attr('seats', 'eq', 1), withAttrs({ seats: true }), false],
  ['neq: missing passes', attr('seats', 'neq', 3), withAttrs({}), true],
  ['gt', attr('mrr', 'gt', 99.5), withAttrs({ mrr: 100 }), true],
  ['gte at the bound', attr('mrr', 'gte', 100), withAttrs({ mrr: 100 }), true],
  ['lt', attr('mrr', 'lt', -1), withAttrs({ mrr: -1.5 }), true],
  ['lte above', attr('mrr', 'lte', 10), withAttrs({ mrr: 10.0001 }), false],
  ['between inclusive', attr('age', 'between', [18, 30]), withAttrs({ age: 30 }), true],
  ['between reversed bounds match nothing', attr('age', 'between', [30, 18]), withAttrs({ age: 20 }), false],
  // booleans
  ['is_true', attr('beta', 'is_true'), withAttrs({ beta: true }), true],
  ['is_true: 1 is not true', attr('beta', 'is_true'), withAttrs({ beta: 1 }), false],
  ['is_false', attr('beta', 'is_false'), withAttrs({ beta: false }), true],
  ['is_false: missing is not false', attr('beta', 'is_false'), withAttrs({}), false],
  // dates
  ['before: ISO text', attr('renewal', 'before', '2026-12-01'), withAttrs({ renewal: '2026-11-15T10:00:00Z' }), true],
  ['before: epoch ms', attr('renewal', 'before', '2026-12-01'), withAttrs({ renewal: Date.parse('2027-01-01') }), false],
  ['after: offset time zone', attr('renewal', 'after', '2026-11-15T09:00:00Z'), withAttrs({ renewal: '2026-11-15T10:30:00+01:00' }), true],
  ['after: not a date', attr('renewal', 'after', '2000-01-01'), withAttrs({ renewal: 'soon' }), false],
  ['after: invalid month is not a date', attr('renewal', 'after', '2000-01-01'), withAttrs({ renewal: '2026-13-01' }), false],
  ['date_between', attr('renewal', 'date_between', ['2026-11-01', '2026-11-30']), withAttrs({ renewal: '2026-11-30' }), true],
  ['more_than_days_ago', attr('signup', 'more_than_days_ago', 30), withAttrs({ signup: NOW - 31 * DAY }), true],
  ['more_than_days_ago: too recent', attr('signup', 'more_than_days_ago', 30), withAttrs({ signup: NOW - 29 * DAY }), false],
  ['less_than_days_ago', attr('signup', 'less_than_days_ago', 30), withAttrs({ signup: new Date(NOW - 2 * DAY).toISOString() }), true],
  ['less_than_days_ago: the future is not ago', attr('signup', 'less_than_days_ago', 30), withAttrs({ signup: NOW + DAY }), false],
  ['within_next_days', attr('renewal', 'within_next_days', 7), withAttrs({ renewal: NOW + 6 * DAY }), true],
  ['within_next_days: past', attr('renewal', 'within_next_days', 7), withAttrs({ renewal: NOW - DAY }), false],
  // lists
  ['list_contains', attr('roles', 'list_contains', 'ADMIN'), withAttrs({ roles: ['user', 'admin'] }), true],
  ['list_contains: not a list', attr('roles', 'list_contains', 'admin'), withAttrs({ roles: 'admin' }), false],
  ['list_contains: numbers are not text', attr('roles', 'list_contains', '1'), withAttrs({ roles: [1, 2] }), false],
  ['list_not_contains', attr('roles', 'list_not_contains', 'admin'), withAttrs({ roles: ['user'] }), true],
  ['list_is_empty: empty', attr('roles', 'list_is_empty'), withAttrs({ roles: [] }), true],
  ['list_is_empty: missing', attr('roles', 'list_is_empty'), withAttrs({}), true],
  ['list_is_empty: text is not an empty list', attr('roles', 'list_is_empty'), withAttrs({ roles: 'x' }), false],
  ['list_is_not_empty', attr('roles', 'list_is_not_empty'), withAttrs({ roles: ['a'] }), true],
  // hostile keys and values
  ['a key with dots', attr('a.b', 'is', 'x'), withAttrs({ 'a.b': 'x' }), true],
  ['a key with dots is not a path', attr('a.b', 'is', 'x'), withAttrs({ a: { b: 'x' } }), false],
  ['a key with a double quote', attr('say "hi"', 'is', 'yes'), withAttrs({ 'say "hi"': 'yes' }), true],
  ['a key with a backslash', attr('back\\slash', 'eq', 1), withAttrs({ 'back\\slash': 1 }), true],
  ['a key with $ and brackets', attr('$[0]', 'is', 'v'), withAttrs({ '$[0]': 'v' }), true],
  ['a key named __proto__', attr('__proto__', 'is', 'p'), { attributes: JSON.parse('{"__proto__":"p"}') }, true],
  ['constructor is not an attribute', attr('constructor', 'is_set'), withAttrs({}), false],
  ['SQL text as a value', attr('note', 'is', HOSTILE), withAttrs({ note: HOSTILE }), true],
  ['SQL text as a key', attr(HOSTILE, 'contains', 'DROP'), withAttrs({ [HOSTILE]: `x DROP y` }), true],
  ['unicode key', attr('città', 'is', 'Roma'), withAttrs({ città: 'roma' }), true],
  // properties
  ['name contains', prop('name', 'contains', 'ann'), { name: 'Joanne' }, true],
  ['email is not set', prop('email', 'is_not_set'), { email: null }, true],
  ['user id starts with', prop('user_id', 'starts_with', 'cus_'), { userId: 'cus_42' }, true],
  ['anonymous: identified is false', prop('identified', 'is_false'), { userId: null }, true],
  ['identified is true', prop('identified', 'is_true'), { userId: 'u1' }, true],
  ['status is disabled', prop('status', 'is', 'disabled'), { status: 'disabled' }, true],
  ['sessions ≥ 5', prop('sessions', 'gte', 5), { sessions: 5 }, true],
  ['events count < 10', prop('events_count', 'lt', 10), { eventsCount: 12 }, false],
  ['last activity more than 30 days ago', prop('last_seen', 'more_than_days_ago', 30), { lastSeen: NOW - 45 * DAY }, true],
  ['created after a date', prop('created', 'after', '2026-10-01'), { createdAt: Date.parse('2026-10-02') }, true],
  ['first seen within 7 days', prop('first_seen', 'less_than_days_ago', 7), { firstSeen: NOW - 3 * DAY }, true],
  ['Jimer ID: any device matches', prop('jimer_id', 'starts_with', 'hONp'), { devices: ['zzzz-fx1', 'hONp-fx1'] }, true],
  ['Jimer ID is not: no device matches', prop('jimer_id', 'is_not', 'hONp-fx2'), { devices: ['abcd-fx2'] }, true],
  ['Jimer ID is not: one device matches', prop('jimer_id', 'is_not', 'hONp-fx3'), { devices: ['hONp-fx3', 'other-fx3'] }, false],
  ['Jimer ID is not set: no devices', prop('jimer_id', 'is_not_set'), { devices: [] }, true],
  // tags
  ['has any of the tags', { type: 'tag', operator: 'has_any', tagIds: [7, 8] }, { tags: [8] }, true],
  ['has none of the tags', { type: 'tag', operator: 'has_none', tagIds: [7, 8] }, { tags: [9] }, true],
  ['has none: one present', { type: 'tag', operator: 'has_none', tagIds: [7, 8] }, { tags: [7] }, false],
  // events
  ['did perform', ev({ event: 'signup', measure: 'did' }), { events: [{ name: 'signup' }] }, true],
  ['did perform: other event', ev({ event: 'signup', measure: 'did' }), { events: [{ name: 'login' }] }, false],
  ['did not perform', ev({ event: 'churn', measure: 'did_not' }), { events: [{ name: 'login' }] }, true],
  ['count = 0 with no events', ev({ event: 'login', measure: 'count', operator: 'eq', value: 0 }), {}, true],
  ['count ≥ 3', ev({ event: 'login', measure: 'count', operator: 'gte', value: 3 }), { events: [{ name: 'login' }, { name: 'login' }, { name: 'login' }] }, true],
  ['count within the last 7 days', ev({ event: 'login', measure: 'count', operator: 'gte', value: 2, window: { lastDays: 7 } }),
    { events: [{ name: 'login', at: NOW - DAY }, { name: 'login', at: NOW - 10 * DAY }] }, false],
  ['count between dates', ev({ event: 'login', measure: 'count', operator: 'eq', value: 1, window: { from: '2026-10-01', to: '2026-10-31' } }),
    { events: [{ name: 'login', at: Date.parse('2026-10-15') }, { name: 'login', at: Date.parse('2026-11-15') }] }, true],
  ['sum(order_placed.total) ≥ 500', ev({ event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500 }),
    { events: [{ name: 'order_placed', props: { total: 300 } }, { name: 'order_placed', props: { total: 323.45 } }] }, true],
  ['sum skips text values', ev({ event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500 }),
    { events: [{ name: 'order_placed', props: { total: 300 } }, { name: 'order_placed', props: { total: '400' } }] }, false],
  ['sum of 0.1 + 0.2 + 0.3 = 0.6 exactly (compensated)', ev({ event: 'tip', measure: 'sum', property: 'v', operator: 'eq', value: 0.6 }),
    { events: [0.1, 0.2, 0.3].map((v, i) => ({ name: 'tip', at: NOW - 10 + i, props: { v } })) }, true],
  ['sum with nothing to add fails ≥ 0', ev({ event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 0 }), {}, false],
  ['sum with nothing to add passes ≠ 5', ev({ event: 'order_placed', measure: 'sum', property: 'total', operator: 'neq', value: 5 }), {}, true],
  ['avg', ev({ event: 'rate', measure: 'avg', property: 'stars', operator: 'between', value: [3.4, 3.6] }),
    { events: [3, 4].map((stars) => ({ name: 'rate', props: { stars } })) }, true],
  ['min', ev({ event: 'rate', measure: 'min', property: 'stars', operator: 'lte', value: 1 }), { events: [5, 1, 3].map((stars) => ({ name: 'rate', props: { stars } })) }, true],
  ['max', ev({ event: 'rate', measure: 'max', property: 'stars', operator: 'lt', value: 5 }), { events: [5, 1].map((stars) => ({ name: 'rate', props: { stars } })) }, false],
  ['event property filter', ev({ event: 'order_placed', measure: 'count', operator: 'eq', value: 1, where: [{ property: 'currency', operator: 'is', value: 'eur' }] }),
    { events: [{ name: 'order_placed', props: { currency: 'EUR' } }, { name: 'order_placed', props: { currency: 'USD' } }] }, true],
  ['event property filter with a hostile key', ev({ event: 'x', measure: 'did', where: [{ property: 'a"b', operator: 'eq', value: 1 }] }),
    { events: [{ name: 'x', props: { 'a"b': 1 } }] }, true],
  ['event names are exact', ev({ event: 'Signup', measure: 'did' }), { events: [{ name: 'signup' }] }, false],
  // experiences
  ['experience seen', { type: 'experience', experience: 'tour', action: 'seen' }, { interactions: [{ experience: 'tour', action: 'seen' }] }, true],
  ['experience not seen', { type: 'experience', experience: 'tour', action: 'not_seen' }, { interactions: [{ experience: 'other', action: 'seen' }] }, true],
  ['experience completed', { type: 'experience', experience: 'tour', action: 'completed' }, { interactions: [{ experience: 'tour', action: 'seen' }] }, false],
  ['experience dismissed', { type: 'experience', experience: 'tour', action: 'dismissed' }, { interactions: [{ experience: 'tour', action: 'dismissed' }] }, true],
  ['answered any', { type: 'experience', experience: 'nps', action: 'answered' }, { responses: [{ experience: 'nps', answer: '9' }] }, true],
  ['answered with a value', { type: 'experience', experience: 'nps', action: 'answered', answer: 'YES' }, { responses: [{ experience: 'nps', answer: 'yes' }] }, true],
  ['answered with another value', { type: 'experience', experience: 'nps', action: 'answered', answer: 'no' }, { responses: [{ experience: 'nps', answer: 'yes' }] }, false],
  // segments
  ['in a dynamic segment', { type: 'segment', operator: 'in', segmentId: 901 }, withAttrs({ plan: 'pro' }), true],
  ['not in a dynamic segment', { type: 'segment', operator: 'not_in', segmentId: 901 }, withAttrs({ plan: 'free' }), true],
  ['in a static segment', { type: 'segment', operator: 'in', segmentId: 902 }, { staticSegments: [902] }, true],
  ['in a segment composed of others', { type: 'segment', operator: 'in', segmentId: 903 }, { attributes: { plan: 'pro' }, staticSegments: [902] }, true],
  ['in a composed segment: one part missing', { type: 'segment', operator: 'in', segmentId: 903 }, { attributes: { plan: 'pro' } }, false],
  ['in an unknown segment', { type: 'segment', operator: 'in', segmentId: 999 }, {}, false],
  // groups
  ['AND: all must pass', and(attr('plan', 'is', 'pro'), attr('seats', 'gt', 10)), withAttrs({ plan: 'pro', seats: 5 }), false],
  ['OR: one is enough', or(attr('plan', 'is', 'pro'), attr('seats', 'gt', 10)), withAttrs({ plan: 'free', seats: 50 }), true],
  ['empty AND passes', and(), {}, true],
  ['empty OR fails', or(), {}, false],
  ['nested: (A and (B or C)) or D', or(and(attr('plan', 'is', 'pro'), or(attr('seats', 'gt', 10), attr('beta', 'is_true'))), prop('sessions', 'gte', 100)),
    { attributes: { plan: 'pro', seats: 2, beta: true }, sessions: 1 }, true],
]
