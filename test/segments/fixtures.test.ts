import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@libsql/client'
import { explain } from '../../worker/src/segments/explain.js'
import { eventNames, loadFacts } from '../../worker/src/segments/facts.js'
import type { EvalContext } from '../../worker/src/segments/library.js'
import { tempDb } from '../helpers/test-app.js'
import { FIXTURES, SEGMENTS } from './fixtures.js'
import { insertSegments, insertUser, jsSays, NOW, PROJECT, sqlSays, tree } from './harness.js'

describe('the segment engine fixture table', () => {
  let db: Awaited<ReturnType<typeof tempDb>>
  const ctx: EvalContext = { now: NOW, segments: new Map(SEGMENTS.map((s) => [s.id, s])) }
  beforeAll(async () => {
    db = await tempDb()
    await insertSegments(db.client, SEGMENTS)
  })
  afterAll(() => db.dispose())

  it.each(FIXTURES)('%s', async (_name, node, user, expected) => {
    const client: Client = db.client
    const pk = await insertUser(client, user)
    const t = tree(node)
    expect({ evaluate: await jsSays(client, t, pk, ctx), sql: await sqlSays(client, t, pk, ctx) }).toEqual({ evaluate: expected, sql: expected })
    const facts = await loadFacts(client, PROJECT, { pk }, eventNames([t, ...SEGMENTS.flatMap((s) => (s.tree ? [s.tree] : []))]))
    expect(explain(t, facts!, ctx).pass).toBe(expected)
  })
})
