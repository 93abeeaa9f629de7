import type { ConditionTree } from './condition.js'

/** A saved segment as the interpreters need it: composition reads other segments. */
export interface SegmentDef {
  id: number
  kind: 'dynamic' | 'static'
  tree: ConditionTree | null
  name: string
}

/** What an interpreter is given besides the tree: the clock and the project's segments. */
export interface EvalContext {
  now: number
  segments: ReadonlyMap<number, SegmentDef>
  /** Tag names by id, for labels a person reads (explain); ids are shown without it. */
  tagNames?: ReadonlyMap<number, string>
}
