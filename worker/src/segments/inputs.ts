import type { Node } from './condition.js'
import type { Library, SavedSegment } from './store.js'

/**
 * The inputs a segment reads, as the classes the change journal records (migration 0008's
 * triggers on users, user_tags, devices and static lists): a change of a user re-evaluates
 * only the segments that read what changed — a page view does not re-evaluate "plan is pro".
 * a: custom attributes · n: native fields and activity (events, experiences, sessions…)
 * s: status · t: tags · l: static lists · d: devices (Jimer IDs) · *: everything (a user
 * created or deleted). Every dynamic segment reads status: a disabled user is in none.
 */
export function segmentInputs(lib: Library, seg: SavedSegment, seen = new Set<number>()): Set<string> {
  const out = new Set(['s'])
  const walk = (n: Node) => {
    switch (n.type) {
      case 'group': n.conditions.forEach(walk); break
      case 'property': out.add(n.field === 'jimer_id' ? 'd' : n.field === 'status' ? 's' : 'n'); break
      case 'attribute': out.add('a'); break
      case 'event': case 'experience': out.add('n'); break
      case 'tag': out.add('t'); break
      case 'segment': {
        const s = lib.segments.get(n.segmentId)
        if (!s || seen.has(s.id)) break
        seen.add(s.id)
        if (s.kind === 'static' || !s.tree) out.add('l')
        else for (const i of segmentInputs(lib, s, seen)) out.add(i)
      }
    }
  }
  if (seg.tree) walk(seg.tree.root)
  return out
}

/** Does a journal entry's `inputs` (e.g. "an", "*") touch any of a segment's inputs? */
export function touches(inputs: Set<string>, changed: string): boolean {
  if (changed.includes('*')) return true
  for (const c of changed) if (inputs.has(c)) return true
  return false
}
