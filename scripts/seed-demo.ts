// What `npm run seed` adds to seed()'s users for a demo that looks alive (issue 14, item 6):
// experiences seen / completed / dismissed with their events, NPS answers, and a few saved
// segments computed by the real membership code. Deterministic: driven by seed()'s PRNG.
import type { Client } from '@libsql/client'
import type Database from 'libsql'
import { directWriter } from '../worker/src/ingest/writer.js'
import { recomputeSegment } from '../worker/src/segments/membership.js'
import { loadLibrary } from '../worker/src/segments/store.js'

/** A Jimer ID as the snippet makes them (snippet/src/id.ts): four 32-bit words in base 36. */
export const jimerId = (rand: () => number) => Array.from({ length: 4 }, () => Math.floor(rand() * 2 ** 32).toString(36)).join('')

const EXPERIENCES = [
  { id: 'onboarding-tour', name: 'Onboarding tour', steps: 5 },
  { id: 'nps-q4', name: 'NPS survey Q4', steps: 2 },
  { id: 'new-exports-banner', name: 'New: Parquet exports', steps: 1 },
] as const
const NPS_QUESTION = 'How likely are you to recommend us to a friend or colleague?'

interface Demo { projectId: string; userPk: number; anonymousId: string; first: number; last: number; now: number; rand: () => number }

const statements = new WeakMap<Database.Database, ReturnType<typeof prepare>>()
function prepare(db: Database.Database) {
  return {
    event: db.prepare(`INSERT INTO events (project_id, user_pk, anonymous_id, type, name, properties, context, timestamp, received_at, message_id) VALUES (?, ?, ?, 'track', ?, ?, '{}', ?, ?, ?)`),
    interaction: db.prepare(`INSERT INTO interactions (project_id, user_pk, experience_id, experience_name, action, step, steps, timestamp, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    response: db.prepare(`INSERT INTO responses (project_id, user_pk, experience_id, step, question, answer, timestamp, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    counts: db.prepare(`UPDATE users SET events_count = events_count + ?, experiences_seen = ? WHERE id = ?`),
  }
}

/** One user's experience activity, as the collector would have stored it from `$experience` / `$response` calls. */
export function demoActivity(db: Database.Database, d: Demo): void {
  let s = statements.get(db)
  if (!s) statements.set(db, (s = prepare(db)))
  let events = 0
  let seen = 0
  const at = () => d.first + Math.floor(d.rand() * Math.max(1, d.last - d.first))
  for (const x of EXPERIENCES) {
    if (d.rand() > 0.45) continue
    seen++
    const ts = at()
    const roll = d.rand()
    const action = x.id === 'nps-q4' ? (roll < 0.6 ? 'answered' : 'dismissed') : roll < 0.5 ? 'completed' : roll < 0.8 ? 'seen' : 'dismissed'
    const step = action === 'completed' || action === 'answered' ? x.steps : Math.max(1, Math.ceil(d.rand() * x.steps))
    for (const [a, t] of [['seen', ts], ...(action === 'seen' ? [] : [[action, ts + 60_000]])] as [string, number][]) {
      const id = `demo-x-${d.userPk}-${x.id}-${a}`
      const props = { id: x.id, name: x.name, action: a, step: a === 'seen' ? 1 : step, steps: x.steps }
      s.event.run(d.projectId, d.userPk, d.anonymousId, '$experience', JSON.stringify(props), t, t, id)
      s.interaction.run(d.projectId, d.userPk, x.id, x.name, a, props.step, x.steps, t, id)
      events++
    }
    if (action === 'answered') {
      // NPS answers lean positive, as they do.
      const score = Math.min(10, Math.floor(d.rand() * 6) + (d.rand() < 0.7 ? 5 : 0))
      const id = `demo-r-${d.userPk}-${x.id}`
      const props = { experience: x.id, step: 1, question: NPS_QUESTION, answer: score }
      s.event.run(d.projectId, d.userPk, d.anonymousId, '$response', JSON.stringify(props), ts + 60_000, ts + 60_000, id)
      s.response.run(d.projectId, d.userPk, x.id, 1, NPS_QUESTION, String(score), ts + 60_000, id)
      events++
    }
  }
  if (events) s.counts.run(events, seen, d.userPk)
}

const group = (...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic: 'and', conditions } })

/** Segments a demo shows at once: each a kind of condition (attribute, activity, events, experiences). */
const SEGMENTS = [
  { name: 'Paying customers', key: 'paying', targetable: true, description: 'On the pro or enterprise plan', conditions: { version: 1, root: { type: 'group', logic: 'or', conditions: [
    { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, { type: 'attribute', key: 'plan', operator: 'is', value: 'enterprise' }] } } },
  { name: 'Active this week', key: 'active-7d', targetable: false, description: 'Seen in the last 7 days', conditions: group({ type: 'property', field: 'last_seen', operator: 'less_than_days_ago', value: 7 }) },
  { name: 'Big spenders', key: 'big-spenders', targetable: true, description: 'Orders worth 500 or more', conditions: group({ type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500 }) },
  { name: 'Finished the tour', key: 'tour-done', targetable: false, description: 'Completed the onboarding tour', conditions: group({ type: 'experience', experience: 'onboarding-tour', action: 'completed' }) },
]

/** Saves the demo segments (once) and computes their members with the real membership code. */
export async function demoSegments(client: Client, projectId: string, now: number): Promise<number> {
  for (const s of SEGMENTS) {
    await client.execute({
      sql: `INSERT INTO segments (project_id, name, description, kind, conditions, targetable, key, created_at, updated_at) VALUES (?, ?, ?, 'dynamic', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      args: [projectId, s.name, s.description, JSON.stringify(s.conditions), s.targetable ? 1 : 0, s.key, now, now],
    })
  }
  await client.execute({ sql: 'UPDATE projects SET version = version + 1 WHERE id = ?', args: [projectId] })
  const lib = await loadLibrary(client, projectId)
  const writer = directWriter(client)
  for (const seg of lib.segments.values()) await recomputeSegment(client, writer, projectId, seg.id, 'created', now)
  return lib.segments.size
}
