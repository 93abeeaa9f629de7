import { DAY, type EventLeaf, type Leaf, type PropertyField } from './condition.js'
import type { UserFacts } from './facts.js'
import type { EvalContext } from './library.js'
import { positiveOf, prepared, testJs, type Ctx } from './operators.js'

/** An object's own value for a key: inherited names (`constructor`, `__proto__`) are not attributes. */
export const own = (o: Record<string, unknown>, k: string): unknown => {
  const v = o[k]
  // Object.prototype holds only functions and objects: a primitive found is the object's own.
  return v === undefined || (typeof v !== 'object' && typeof v !== 'function') || Object.hasOwn(o, k) ? v : undefined
}

export function propertyValue(f: UserFacts, field: Exclude<PropertyField, 'jimer_id'>): unknown {
  switch (field) {
    case 'name': return f.name ?? undefined
    case 'email': return f.email ?? undefined
    case 'user_id': return f.userId ?? undefined
    case 'status': return f.status
    case 'created': return f.createdAt
    case 'first_seen': return f.firstSeen
    case 'last_seen': return f.lastSeen
    case 'sessions': return f.sessions
    case 'events_count': return f.eventsCount
    case 'identified': return f.userId !== null
  }
}

type Measurer = (f: UserFacts, now: number) => number | null
const measurers = new WeakMap<EventLeaf, Measurer>()

/**
 * The measured number of an event leaf (count, sum, …) over the events it looks at (its
 * name, time window and property filters); null when there is nothing to aggregate.
 * This runs for every event condition of every request, so each leaf is compiled once
 * (cached per leaf object; trees are immutable once loaded) and a call is one pass with
 * no allocation: filters prepared, aggregates kept running.
 */
export function eventMeasure(leaf: EventLeaf, f: UserFacts, ctx: EvalContext): number | null {
  let m = measurers.get(leaf)
  if (!m) measurers.set(leaf, (m = measurer(leaf)))
  return m(f, ctx.now)
}

function measurer(leaf: EventLeaf): Measurer {
  const w = leaf.window
  const lastDays = w && 'lastDays' in w ? w.lastDays : undefined
  const fixedFrom = w && !('lastDays' in w) ? w.from : undefined
  const to = w && !('lastDays' in w) ? w.to : undefined
  const where = (leaf.where ?? []).map((c) => ({ property: c.property, test: prepared(c.operator, c.value, c.caseSensitive ?? false), ctx: { caseSensitive: c.caseSensitive ?? false, now: 0 } }))
  const { event, measure, property } = leaf
  const aggregate = measure === 'sum' || measure === 'avg' || measure === 'min' || measure === 'max'
  return (f, now) => {
    const from = lastDays !== undefined ? now - lastDays * DAY : fixedFrom
    let count = 0, n = 0
    // SQLite's sum() of REAL values (to-sql casts them: a sum of integers can raise "integer
    // overflow"): Kahan–Babuška–Neumaier compensated summation as in func.c, run as the values
    // come, so float totals agree to the last bit; an error term that went NaN is dropped, and
    // an overflow is NaN (NULL). min and max fold as Math.min/max do.
    let rSum = 0, rErr = 0, min = Infinity, max = -Infinity
    for (const e of f.events) {
      if (e.name !== event || (from !== undefined && e.timestamp < from) || (to !== undefined && e.timestamp > to)) continue
      let pass = true
      for (let i = 0; i < where.length && pass; i++) {
        const c = where[i]
        c.ctx.now = now
        pass = c.test(own(e.properties, c.property), c.ctx)
      }
      if (!pass) continue
      count++
      if (!aggregate) continue
      const v = own(e.properties, property!)
      if (typeof v !== 'number') continue
      n++
      const t = rSum + v
      rErr += sumError(rSum, v, t)
      rSum = t
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
    if (!aggregate) return count
    if (n === 0) return null
    const sum = sumTotal(rSum, rErr)
    switch (measure) {
      case 'sum': return sum
      case 'avg': return sum / n
      case 'min': return min
      default: return max
    }
  }
}

/**
 * SQLite's compensated sum (func.c, Kahan–Babuška–Neumaier), as two steps over plain
 * numbers so that each caller keeps its running terms where it likes (locals here, arrays
 * per user in the columns): `t = sum + v` is the new sum, this is what it lost.
 */
export const sumError = (sum: number, v: number, t: number): number => Math.abs(sum) > Math.abs(v) ? (sum - t) + v : (v - t) + sum
/** The compensated total: an error term that went NaN is dropped (an overflow is NaN, NULL). */
export const sumTotal = (sum: number, err: number): number => Number.isNaN(err) ? sum : sum + err

/** What a leaf measured and whether it passed: shared by evaluate and explain. */
export function runLeaf(leaf: Leaf, f: UserFacts, ctx: EvalContext, inSegment: (id: number) => boolean): { actual: unknown; pass: boolean } {
  const sensitive: Ctx = { caseSensitive: true, now: ctx.now }
  const insensitive: Ctx = { caseSensitive: false, now: ctx.now }
  const opCtx = (caseSensitive?: boolean): Ctx => (caseSensitive ? sensitive : insensitive)
  switch (leaf.type) {
    case 'property': {
      if (leaf.field === 'jimer_id') {
        const { positive, negated } = positiveOf(leaf.operator)
        const any = f.devices.some((d) => positive.js(d, leaf.value, opCtx(leaf.caseSensitive)))
        return { actual: f.devices, pass: any !== negated }
      }
      const actual = propertyValue(f, leaf.field)
      return { actual, pass: testJs(leaf.operator, actual, leaf.value, opCtx(leaf.caseSensitive)) }
    }
    case 'attribute': {
      const actual = own(f.attributes, leaf.key)
      return { actual, pass: testJs(leaf.operator, actual, leaf.value, opCtx(leaf.caseSensitive)) }
    }
    case 'tag': {
      const has = leaf.tagIds.some((t) => f.tagIds.includes(t))
      return { actual: f.tagIds, pass: has === (leaf.operator === 'has_any') }
    }
    case 'event': {
      const actual = eventMeasure(leaf, f, ctx)
      if (leaf.measure === 'did') return { actual, pass: actual! >= 1 }
      if (leaf.measure === 'did_not') return { actual, pass: actual === 0 }
      return { actual, pass: testJs(leaf.operator!, actual, leaf.value, opCtx()) }
    }
    case 'experience': {
      const c = opCtx(leaf.caseSensitive)
      const action = leaf.action === 'not_seen' ? 'seen' : leaf.action
      const hit = action === 'answered'
        ? f.responses.some((r) => r.experienceId === leaf.experience && (leaf.answer === undefined || testJs('is', r.answer ?? undefined, leaf.answer, c)))
        : f.interactions.some((i) => i.experienceId === leaf.experience && i.action === action)
      return { actual: hit, pass: hit !== (leaf.action === 'not_seen') }
    }
    case 'segment': {
      const member = inSegment(leaf.segmentId)
      return { actual: member, pass: member === (leaf.operator === 'in') }
    }
  }
}
