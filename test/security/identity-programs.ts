import fc from 'fast-check'
import type { Client } from '@libsql/client'

/**
 * Random identity programs for the race test (issue 7 item 2): a few users, devices (Jimer
 * IDs) and alias names, a list of operations split among concurrent clients, and a runner
 * that sends them through the real collector and admin API and records every answer.
 */

export const USERS = 3
export const DEVICES = 5
export const NAMES = 2

/** Where a name used as `previousId` comes from: a user id, an alias-only name, or a Jimer ID. */
export type Ref = { ns: 'user' | 'name' | 'device'; i: number }

export type Op =
  | { kind: 'track'; by: 'user' | 'device'; i: number }
  /** identify(anonymousId, userId), with a trait now and then. */
  | { kind: 'identify'; device: number; user: number; trait: boolean }
  /** identify(userId, traits), no Jimer ID: sets an attribute. */
  | { kind: 'set'; user: number }
  /** identify(anonymousId, traits), no user id: an anonymous visitor's attribute. */
  | { kind: 'anon-set'; device: number }
  | { kind: 'alias'; prev: Ref; user: number }
  /** Sends again a message this client sent before (same messageId): a retry. */
  | { kind: 'retry'; back: number }
  /** DELETE /api/projects/:p/users/:pk for the profile this id names right now. */
  | { kind: 'delete'; target: Ref }

export interface Step {
  op: Op
  client: number
  /** Event-loop turns this client yields before the step, to vary the interleaving. */
  yields: number
  /** Sent in one /v1/batch with the client's previous step (when both are messages). */
  join: boolean
}

export interface Program { clients: number; steps: Step[] }

const user = fc.nat(USERS - 1)
const device = fc.nat(DEVICES - 1)
/** Most identifies of a device name its owner (device i belongs to user i % USERS); some share a device. */
const identify = fc.tuple(device, fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: user }), fc.boolean())
  .map(([d, u, trait]): Op => ({ kind: 'identify', device: d, user: u < 0 ? d % USERS : u, trait }))
const ref = (kinds: Ref['ns'][]) => fc.oneof(...kinds.map((ns) => fc.record({ ns: fc.constant(ns), i: fc.nat((ns === 'user' ? USERS : ns === 'name' ? NAMES : DEVICES) - 1) })))

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('track' as const), by: fc.constantFrom('user' as const, 'device' as const), i: device }).map((o) => ({ ...o, i: o.by === 'user' ? o.i % USERS : o.i })) },
  { weight: 6, arbitrary: identify },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('anon-set' as const), device }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('alias' as const), prev: ref(['user', 'name', 'name', 'device']), user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), back: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), target: ref(['user', 'user', 'device']) }) },
)

export function programArb(opts: { minSteps: number; maxSteps: number }): fc.Arbitrary<Program> {
  return fc.integer({ min: 2, max: 4 }).chain((clients) => fc.record({
    clients: fc.constant(clients),
    steps: fc.array(fc.record({
      op: opArb,
      client: fc.nat(clients - 1),
      yields: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
      join: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }), { minLength: opts.minSteps, maxLength: opts.maxSteps }),
  }))
}

export interface Message {
  type: 'track' | 'identify' | 'alias'
  messageId: string
  userId?: string
  anonymousId?: string
  previousId?: string
  event?: string
  traits?: Record<string, string>
}

/** The ids of one run: every id starts with the run's prefix, so runs can share a database. */
export interface Ids { prefix: string; users: string[]; devices: string[]; names: string[]; ref(r: Ref): string }

export function idsFor(prefix: string): Ids {
  const users = Array.from({ length: USERS }, (_, i) => `${prefix}u${i}`)
  const devices = Array.from({ length: DEVICES }, (_, i) => `${prefix}d${i}`)
  const names = Array.from({ length: NAMES }, (_, i) => `${prefix}n${i}`)
  return { prefix, users, devices, names, ref: (r) => (r.ns === 'user' ? users : r.ns === 'name' ? names : devices)[r.i] }
}

/** What the collector and the admin API answered, per message and per delete. */
export interface Outcome {
  messages: Map<string, { message: Message; answers: string[] }>
  deletes: { target: string; pk: number | null; status: number | null }[]
  /** Answers no model allows (a 5xx, an unexpected code): reported as they are. */
  unexpected: string[]
}

/** How the runner reaches the app: the collector, the delete route, and the database file for lookups. */
export interface Target {
  post(path: string, body: unknown): Promise<{ status: number; body: any }>
  del(pk: number): Promise<number>
  db: Client
  projectId: string
  writeKey: string
}

/** Builds the messages of a step; `sent` is this client's earlier messages (for retries). */
function messageOf(op: Op, ids: Ids, n: number, sent: Message[]): Message | null {
  const messageId = `${ids.prefix}m${n}`
  const trait = { [`k${n}`]: `${ids.prefix}v${n}` }
  switch (op.kind) {
    case 'track': return op.by === 'user'
      ? { type: 'track', messageId, userId: ids.users[op.i], event: 'clicked' }
      : { type: 'track', messageId, anonymousId: ids.devices[op.i], event: 'clicked' }
    case 'identify': return { type: 'identify', messageId, anonymousId: ids.devices[op.device], userId: ids.users[op.user], ...(op.trait ? { traits: trait } : {}) }
    case 'set': return { type: 'identify', messageId, userId: ids.users[op.user], traits: trait }
    case 'anon-set': return { type: 'identify', messageId, anonymousId: ids.devices[op.device], traits: trait }
    case 'alias': return { type: 'alias', messageId, previousId: ids.ref(op.prev), userId: ids.users[op.user] }
    case 'retry': return sent.length ? sent[sent.length - 1 - (op.back % sent.length)] : null
    case 'delete': return null
  }
}

const turn = () => new Promise<void>((ok) => setImmediate(ok))

/** The profile an id names right now, as the dashboard would find it before a delete. */
async function pkOf(t: Target, ids: Ids, r: Ref): Promise<number | null> {
  const id = ids.ref(r)
  const sql = r.ns === 'device'
    ? 'SELECT user_pk AS pk FROM devices WHERE project_id = :p AND anonymous_id = :id'
    : 'SELECT coalesce((SELECT id FROM users WHERE project_id = :p AND user_id = :id), (SELECT user_pk FROM aliases WHERE project_id = :p AND alias = :id)) AS pk'
  const { rows } = await t.db.execute({ sql, args: { p: t.projectId, id } })
  return rows[0]?.pk == null ? null : Number(rows[0].pk)
}

/**
 * Runs the program: each client sends its steps in order (a step joined to the previous
 * one goes in the same /v1/batch), the clients concurrently. Resolves once every request
 * has been answered.
 */
export async function runProgram(t: Target, program: Program, ids: Ids): Promise<Outcome> {
  const rec: Outcome = { messages: new Map(), deletes: [], unexpected: [] }
  const note = (m: Message, answer: string) => {
    const entry = rec.messages.get(m.messageId) ?? { message: m, answers: [] }
    entry.answers.push(answer)
    rec.messages.set(m.messageId, entry)
  }

  const sendBatch = async (batch: Message[]) => {
    if (batch.length === 1 && Number(batch[0].messageId.slice(ids.prefix.length + 1)) % 2 === 0) {
      // Half the single messages go to their own endpoint (/v1/track, /v1/identify, /v1/alias).
      const { status, body } = await t.post(`/v1/${batch[0].type}`, { writeKey: t.writeKey, ...batch[0] })
      if (status === 200) return note(batch[0], 'ok')
      if (status === 410 && body?.error?.code === 'user_erased') return note(batch[0], 'user_erased')
      rec.unexpected.push(`${batch[0].messageId}: /v1/${batch[0].type} answered ${status} ${JSON.stringify(body)}`)
      return
    }
    const { status, body } = await t.post('/v1/batch', { writeKey: t.writeKey, batch })
    if (status !== 200) {
      rec.unexpected.push(`batch ${batch.map((m) => m.messageId).join(',')} answered ${status} ${JSON.stringify(body)}`)
      return
    }
    const refused = new Map<number, string>((body.rejected as { index: number; code: string }[]).map((r) => [r.index, r.code]))
    batch.forEach((m, i) => note(m, refused.get(i) ?? 'ok'))
  }

  const client = async (c: number) => {
    const sent: Message[] = []
    let pending: Message[] = []
    const flush = async () => {
      if (pending.length) await sendBatch(pending)
      pending = []
    }
    for (const [n, step] of program.steps.entries()) {
      if (step.client !== c) continue
      for (let y = 0; y < step.yields; y++) await turn()
      if (step.op.kind === 'delete') {
        await flush()
        const target = ids.ref(step.op.target)
        const pk = await pkOf(t, ids, step.op.target)
        const status = pk === null ? null : await t.del(pk)
        if (status !== null && status !== 204 && status !== 404) rec.unexpected.push(`DELETE user ${pk} (${target}) answered ${status}`)
        rec.deletes.push({ target, pk, status })
        continue
      }
      const m = messageOf(step.op, ids, n, sent)
      if (!m) continue
      if (!step.join || pending.length >= 3) await flush()
      pending.push(m)
      if (step.op.kind !== 'retry') sent.push(m)
    }
    await flush()
  }

  await Promise.all(Array.from({ length: program.clients }, (_, c) => client(c)))
  return rec
}

/** The program as lines a person can read, for a failure report. */
export function describeProgram(program: Program, ids: Ids): string {
  return program.steps.map((s, n) => {
    const o = s.op
    const what = o.kind === 'track' ? `track ${o.by === 'user' ? ids.users[o.i] : ids.devices[o.i]}`
      : o.kind === 'identify' ? `identify ${ids.devices[o.device]} as ${ids.users[o.user]}${o.trait ? ` +k${n}` : ''}`
      : o.kind === 'set' ? `set k${n} on ${ids.users[o.user]}`
      : o.kind === 'anon-set' ? `set k${n} on ${ids.devices[o.device]}`
      : o.kind === 'alias' ? `alias ${ids.ref(o.prev)} -> ${ids.users[o.user]}`
      : o.kind === 'retry' ? `retry back ${o.back}`
      : `delete ${ids.ref(o.target)}`
    return `  ${String(n).padStart(2)} c${s.client}${s.join ? '+' : ' '} ${what}`
  }).join('\n')
}
