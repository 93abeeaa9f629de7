import type { ConditionTree, Node } from './condition.js'
import type { UserFacts } from './facts.js'
import type { EvalContext } from './library.js'
import { runLeaf } from './leaf-js.js'

/**
 * Is this user in the tree? Pure JS over one user's facts (request-time targeting).
 * Groups short-circuit; composed segments are evaluated from their own trees (dynamic) or
 * read from the user's static memberships.
 */
export function evaluate(tree: ConditionTree, facts: UserFacts, ctx: EvalContext): boolean {
  const inSegment = (id: number): boolean => {
    const s = ctx.segments.get(id)
    if (!s) return false
    return s.kind === 'static' || !s.tree ? facts.staticSegments.includes(id) : node(s.tree.root)
  }
  const node = (n: Node): boolean => {
    if (n.type !== 'group') return runLeaf(n, facts, ctx, inSegment).pass
    return n.logic === 'and' ? n.conditions.every(node) : n.conditions.some(node)
  }
  return node(tree.root)
}
