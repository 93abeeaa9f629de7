import { DAY, type Leaf, type PropertyField } from './condition.js'
import type { UserFacts } from './facts.js'
import type { EvalContext } from './library.js'
import { positiveOf, testJs, type Ctx } from './operators.js'

/** An object's own value for a key: inherited names (`constructor`, `__proto__`) are not attributes. */
export const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined)

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

/**
 * SQLite's sum() of REAL values (to-sql casts them: a sum of integers can raise "integer
 * overflow"): Kahan–Babuška–Neumaier compensated summation as in func.c, so float totals
 * agree to the last bit; an error term that went NaN is dropped, and an overflow is NaN (NULL).
 */
export function sqliteSum(values: number[]): number | null {
  if (values.length === 0) return null
  let rSum = 0, rErr = 0
  for (const r of values) {
    const t = rSum + r
    if (Math.abs(rSum) > Math.abs(r)) rErr += (rSum - t) + r
    else rErr += (r - t) + rSum
    rSum = t
  }
  return Number.isNaN(rErr) ? rSum : rSum + rErr
}

/**
 * The measured number of an event leaf (count, sum, …) over the events it looks at (its
 * name, time window and property filters); null when there is nothing to aggregate.
 * One pass, no intermediate arrays: this runs for every event condition of every request.
 */
export function eventMeasure(leaf: Extract<Leaf, { type: 'event' }>, f: UserFacts, ctx: EvalContext): number | null {
  const w = leaf.window
  const from = w && 'lastDays' in w ? ctx.now - w.lastDays * DAY : w?.from
  const to = w && !('lastDays' in w) ? w.to : undefined
  const where = leaf.where ?? []
  const filterCtx: Ctx[] = where.map((c) => ({ caseSensitive: c.caseSensitive ?? false, now: ctx.now }))
  const aggregate = leaf.measure === 'sum' || leaf.measure === 'avg' || leaf.measure === 'min' || leaf.measure === 'max'
  const values: number[] = []
  let count = 0
  for (const e of f.events) {
    if (e.name !== leaf.event || (from !== undefined && e.timestamp < from) || (to !== undefined && e.timestamp > to)) continue
    let pass = true
    for (let i = 0; i < where.length && pass; i++) pass = testJs(where[i].operator, own(e.properties, where[i].property), where[i].value, filterCtx[i])
    if (!pass) continue
    count++
    if (aggregate) {
      const v = own(e.properties, leaf.property!)
      if (typeof v === 'number') values.push(v)
    }
  }
  if (!aggregate) return count
  if (values.length === 0) return null
  switch (leaf.measure) {
    case 'sum': return sqliteSum(values)
    case 'avg': return sqliteSum(values)! / values.length
    case 'min': return Math.min(...values)
    default: return Math.max(...values)
  }
}

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
