import type { ConditionTree, Leaf, Node } from './condition.js'
import type { UserFacts } from './facts.js'
import type { EvalContext } from './library.js'
import { eventMeasure, own, propertyValue } from './leaf-js.js'
import { prepared, preparedPositive, type Ctx } from './operators.js'

/**
 * Is this user in the tree? Pure JS over one user's facts (request-time targeting).
 *
 * Each tree is compiled once into closures (cached per tree object, and trees are
 * immutable once loaded), so a request pays only for the tests themselves: no walking,
 * no allocation. The closures call the same operator table as to-sql and explain; the
 * fixture table and the differential test hold all three to the same answers.
 */
export function evaluate(tree: ConditionTree, facts: UserFacts, ctx: EvalContext): boolean {
  return tester(facts, ctx)(tree)
}

/** Tests one user against many trees (targeting, membership) sharing one evaluation context. */
export function tester(facts: UserFacts, ctx: EvalContext): (tree: ConditionTree) => boolean {
  const run: Run = { facts, ctx, sensitive: { caseSensitive: true, now: ctx.now }, insensitive: { caseSensitive: false, now: ctx.now } }
  return (tree) => compiled(tree.root)(run)
}

interface Run { facts: UserFacts; ctx: EvalContext; sensitive: Ctx; insensitive: Ctx }
type Test = (r: Run) => boolean

const cache = new WeakMap<Node, Test>()
function compiled(node: Node): Test {
  let test = cache.get(node)
  if (!test) cache.set(node, (test = compile(node)))
  return test
}

function compile(n: Node): Test {
  if (n.type === 'group') {
    // A group of one is its condition (most saved segments are one condition in a group).
    if (n.conditions.length === 1) return compiled(n.conditions[0])
    const parts = n.conditions.map(compiled)
    return n.logic === 'and'
      ? (r) => { for (const p of parts) if (!p(r)) return false; return true }
      : (r) => { for (const p of parts) if (p(r)) return true; return false }
  }
  return compileLeaf(n)
}

function compileLeaf(leaf: Leaf): Test {
  switch (leaf.type) {
    case 'property': {
      const cs = leaf.caseSensitive ?? false
      if (leaf.field === 'jimer_id') {
        // "Any device passes the positive form", then negated: not the negation per device.
        const { test, negated } = preparedPositive(leaf.operator, leaf.value, cs)
        return (r) => r.facts.devices.some((d) => test(d, cs ? r.sensitive : r.insensitive)) !== negated
      }
      const field = leaf.field
      const test = prepared(leaf.operator, leaf.value, cs)
      return (r) => test(propertyValue(r.facts, field), cs ? r.sensitive : r.insensitive)
    }
    case 'attribute': {
      const key = leaf.key
      const cs = leaf.caseSensitive ?? false
      const test = prepared(leaf.operator, leaf.value, cs)
      return (r) => test(own(r.facts.attributes, key), cs ? r.sensitive : r.insensitive)
    }
    case 'tag': {
      const any = leaf.operator === 'has_any'
      const ids = leaf.tagIds
      return (r) => ids.some((t) => r.facts.tagIds.includes(t)) === any
    }
    case 'event': {
      if (leaf.measure === 'did') return (r) => eventMeasure(leaf, r.facts, r.ctx)! >= 1
      if (leaf.measure === 'did_not') return (r) => eventMeasure(leaf, r.facts, r.ctx) === 0
      const test = prepared(leaf.operator!, leaf.value, false)
      return (r) => test(eventMeasure(leaf, r.facts, r.ctx), r.insensitive)
    }
    case 'experience': {
      const { experience, answer } = leaf
      const cs = leaf.caseSensitive ?? false
      const negate = leaf.action === 'not_seen'
      const action = negate ? 'seen' : leaf.action
      if (action === 'answered') {
        const is = answer === undefined ? undefined : prepared('is', answer, cs)
        return (r) => r.facts.responses.some((x) => x.experienceId === experience && (is === undefined || is(x.answer ?? undefined, cs ? r.sensitive : r.insensitive)))
      }
      return (r) => r.facts.interactions.some((i) => i.experienceId === experience && i.action === action) !== negate
    }
    case 'segment': {
      const id = leaf.segmentId
      const member = leaf.operator === 'in'
      return (r) => {
        const s = r.ctx.segments.get(id)
        const inIt = !s ? false : s.kind === 'static' || !s.tree ? r.facts.staticSegments.includes(id) : compiled(s.tree.root)(r)
        return inIt === member
      }
    }
  }
}
