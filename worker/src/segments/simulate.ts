import { z } from 'zod'
import { explain, type ExplainGroup } from './explain.js'
import type { UserFacts } from './facts.js'
import type { EvalContext } from './library.js'
import type { SavedSegment } from './store.js'
import { parseSqliteDate } from './values.js'

/**
 * The segment simulator (issue 16): a made-up profile, typed by a person, becomes the same
 * `UserFacts` the collector's profiles become, and runs through explain — the evaluator
 * targeting uses — against every saved segment. Nothing is read about real users and
 * nothing is written, so trying "what if a pro user in France ordered twice" is free.
 */

const DAY = 86_400_000
/** A made-up profile expands `count` copies of each event: bounded so one request stays cheap. */
export const MAX_SIMULATED_EVENTS = 10_000

const text = z.string().max(1000)
/** A time as epoch ms, ISO 8601, or days before now (what a person types: "3 days ago"). */
const when = z.union([z.number().int(), z.string().max(64), z.object({ daysAgo: z.number().min(0).max(36_500) })])

export const simulatedProfileSchema = z.object({
  userId: text.min(1).max(255).nullable().default(null),
  email: text.nullable().default(null),
  name: text.nullable().default(null),
  status: z.enum(['active', 'disabled']).default('active'),
  created: when.optional(),
  firstSeen: when.optional(),
  lastSeen: when.optional(),
  sessions: z.number().int().min(0).max(1e9).default(0),
  eventsCount: z.number().int().min(0).max(1e9).optional(),
  jimerIds: z.array(text.min(1).max(255)).max(20).default([]),
  attributes: z.record(z.string().min(1).max(255), z.unknown()).default({}),
  /** Tag ids or names of the project's tags. */
  tags: z.array(z.union([z.number().int(), text.min(1).max(200)])).max(200).default([]),
  events: z.array(z.object({
    name: text.min(1).max(200),
    count: z.number().int().min(1).max(MAX_SIMULATED_EVENTS).default(1),
    at: when.optional(),
    properties: z.record(z.string().min(1).max(255), z.unknown()).default({}),
  })).max(200).default([])
    .refine((es) => es.reduce((n, e) => n + e.count, 0) <= MAX_SIMULATED_EVENTS, `at most ${MAX_SIMULATED_EVENTS} events in all (counts added up)`),
  experiences: z.array(z.object({
    experience: text.min(1).max(255),
    action: z.enum(['seen', 'completed', 'dismissed', 'answered']),
    answer: text.optional(),
  })).max(200).default([]),
  /** Static segments (manual lists) the profile is on, by id. */
  segments: z.array(z.number().int()).max(500).default([]),
})

export type SimulatedProfile = z.output<typeof simulatedProfileSchema>

/** Reads a `when` as epoch ms; null when it is text no date reader takes. */
export function timeOf(v: z.output<typeof when> | undefined, now: number): number | null {
  if (v === undefined) return now
  if (typeof v === 'number') return v
  if (typeof v === 'object') return Math.round(now - v.daysAgo * DAY)
  // As conditions read dates: SQLite's reading first (a time without an offset is UTC).
  const ms = parseSqliteDate(v) ?? Date.parse(v)
  return Number.isFinite(ms) ? ms : null
}

/**
 * The facts of a made-up profile. `tagIds` resolves names to the project's tags (a name no
 * tag has is reported by the caller as a field error). Events are expanded oldest first,
 * as loadFacts orders stored ones; an experience answered is also an interaction, as the
 * collector records it.
 */
export function simulatedFacts(p: SimulatedProfile, now: number, tagIds: number[]): UserFacts {
  const events = p.events
    .flatMap((e) => Array.from({ length: e.count }, () => ({ name: e.name, timestamp: timeOf(e.at, now)!, properties: e.properties })))
    .sort((a, b) => a.timestamp - b.timestamp)
  return {
    id: 0,
    userId: p.userId,
    email: p.email,
    name: p.name,
    status: p.status,
    createdAt: timeOf(p.created, now)!,
    firstSeen: timeOf(p.firstSeen, now)!,
    lastSeen: timeOf(p.lastSeen, now)!,
    sessions: p.sessions,
    eventsCount: p.eventsCount ?? events.length,
    attributes: p.attributes,
    devices: p.jimerIds,
    tagIds,
    events,
    interactions: p.experiences.map((x) => ({ experienceId: x.experience, action: x.action })),
    responses: p.experiences.filter((x) => x.action === 'answered').map((x) => ({ experienceId: x.experience, answer: x.answer ?? null })),
    staticSegments: p.segments,
  }
}

export interface SimulatedResult {
  id: number; name: string; kind: 'dynamic' | 'static'; key: string; targetable: boolean
  member: boolean; reason: string; explanation: ExplainGroup | null
}

/** Every segment of the project for one profile, members first (as a person scans the list). */
export function simulate(segments: Iterable<SavedSegment>, facts: UserFacts, ctx: EvalContext): SimulatedResult[] {
  const out: SimulatedResult[] = []
  for (const s of segments) {
    const base = { id: s.id, name: s.name, kind: s.kind, key: s.key, targetable: s.targetable }
    if (s.kind === 'static' || !s.tree) {
      const member = facts.staticSegments.includes(s.id)
      out.push({ ...base, member, explanation: null, reason: member ? 'on this static list' : 'not on this static list' })
      continue
    }
    const explanation = explain(s.tree, facts, ctx)
    // As stored membership and targeting read it: disabled users are in nothing dynamic.
    const member = explanation.pass && facts.status === 'active'
    const reason = facts.status !== 'active' ? `the profile is ${facts.status}` : explanation.pass ? 'every needed condition passed' : 'the conditions did not pass'
    out.push({ ...base, member, reason, explanation })
  }
  return out.sort((a, b) => Number(b.member) - Number(a.member))
}
