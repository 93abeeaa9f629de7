import { describe, expect, it } from 'vitest'
import { groupCommitWriter } from '../../worker/src/ingest/writer.js'
import { tempDb } from '../helpers/test-app.js'

const insert = (name: string | null) => ({ sql: 'INSERT INTO tags (project_id, name, color, created_at) VALUES (:p, :n, :c, 0)', args: { p: 'p1', n: name, c: 'red' } })

describe('the group-commit writer', () => {
  it('commits requests that arrive together in one transaction and answers each after it', async () => {
    const db = await tempDb()
    const groups: number[] = []
    const writer = groupCommitWriter(async (stmts) => { groups.push(stmts.length); await db.client.batch(stmts, 'write') })
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.write([insert(`t${i}`)]).then(async () => {
      // Answered only once its row is readable by anyone.
      const r = await db.client.execute({ sql: 'SELECT 1 FROM tags WHERE name = ?', args: [`t${i}`] })
      expect(r.rows).toHaveLength(1)
    })))
    expect(groups.reduce((a, b) => a + b, 0)).toBe(50)
    expect(groups.length).toBeLessThan(5)
    db.dispose()
  })

  it('hands the next group over before the first commits, and never more than two', async () => {
    // A `run` that applies groups in turn, as the write thread does, and reports how many it holds.
    let held = 0, most = 0
    const order: number[][] = []
    let tail = Promise.resolve()
    const writer = groupCommitWriter((stmts) => {
      held++
      most = Math.max(most, held)
      const mine = tail.then(async () => {
        await new Promise((r) => setTimeout(r, 20))
        order.push(stmts.map((s) => Number(String((s.args as Record<string, string>).n).slice(1))))
        held--
      })
      tail = mine
      return mine
    }, { maxStatements: 1 })
    await Promise.all(Array.from({ length: 12 }, (_, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => writer.write([insert(`q${i}`)]))))
    expect(most).toBe(2)
    // Every request once, in arrival order across the groups.
    expect(order.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i))
  })

  it('rejects only the request whose statements fail, and commits its neighbours', async () => {
    const db = await tempDb()
    const writer = groupCommitWriter((stmts) => db.client.batch(stmts, 'write'))
    const results = await Promise.allSettled([
      writer.write([insert('good-1')]),
      writer.write([insert('bad-ok-part'), insert(null)]), // NOT NULL: the whole request fails
      writer.write([insert('good-2')]),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const names = (await db.client.execute('SELECT name FROM tags ORDER BY name')).rows.map((r) => r.name)
    expect(names).toEqual(['good-1', 'good-2'])
    db.dispose()
  })

  it('commits at once when enough statements wait, without waiting for the timer', async () => {
    const db = await tempDb()
    const writer = groupCommitWriter((stmts) => db.client.batch(stmts, 'write'), { maxStatements: 10, maxDelayMs: 3_600_000 })
    await Promise.all(Array.from({ length: 25 }, (_, i) => writer.write([insert(`x${i}`)])))
    expect((await db.client.execute('SELECT count(*) AS n FROM tags')).rows[0].n).toBe(25)
    db.dispose()
  })

  it('commits what waits when drained at shutdown', async () => {
    const db = await tempDb()
    const writer = groupCommitWriter((stmts) => db.client.batch(stmts, 'write'), { maxStatements: 1000, maxDelayMs: 3_600_000 })
    const pending = [writer.write([insert('a')]), writer.write([insert('b')])]
    await writer.drain()
    expect((await db.client.execute('SELECT count(*) AS n FROM tags')).rows[0].n).toBe(2)
    await Promise.all(pending)
    db.dispose()
  })
})
