import type { Client } from '@libsql/client'

/** A typed value as stored, with its SQLite storage class: `5` and `'5'` differ here. */
type Typed = [key: string, type: string, value: unknown, storageClass: string]

/**
 * Every difference between the typed attribute storage and the users' JSON documents, as
 * readable lines (none when they agree): each (user, key) row must hold exactly what
 * json_each reads from `users.attributes` — type, value and storage class — and each
 * text item of a list must be in `user_attribute_items`, and nothing else.
 */
export async function storageDrift(db: Client): Promise<string[]> {
  const read = async (sql: string) => (await db.execute(sql)).rows.map((r) => JSON.stringify(Object.values(r)))
  const expected = await read(`SELECT u.id, u.project_id, j.key, j.type, quote(j.value), typeof(j.value) FROM users u, json_each(u.attributes) j ORDER BY 1, 3`)
  const stored = await read(`SELECT user_pk, project_id, key, type, quote(value), typeof(value) FROM user_attributes ORDER BY 1, 3`)
  const expectedItems = await read(`SELECT DISTINCT u.id, u.project_id, j.key, i.value FROM users u, json_each(u.attributes) j, json_each(j.value) i WHERE j.type = 'array' AND i.type = 'text' ORDER BY 1, 3, 4`)
  const storedItems = await read(`SELECT user_pk, project_id, key, item FROM user_attribute_items ORDER BY 1, 3, 4`)
  const diff = (label: string, want: string[], got: string[]) => {
    const w = new Set(want), g = new Set(got)
    return [...want.filter((x) => !g.has(x)).map((x) => `${label} missing ${x}`), ...got.filter((x) => !w.has(x)).map((x) => `${label} extra ${x}`)]
  }
  return [...diff('attribute', expected, stored), ...diff('list item', expectedItems, storedItems)]
}

/** Differences between the trigger-kept user totals and a count of the users table: the schedule's own check. */
export { userCountDrift as countDrift } from '../../worker/src/users/storage-check.js'

/** One user's stored attributes, typed, for readable assertions. */
export async function storedOf(db: Client, pk: number): Promise<Typed[]> {
  const { rows } = await db.execute({ sql: 'SELECT key, type, value, typeof(value) AS c FROM user_attributes WHERE user_pk = ? ORDER BY key', args: [pk] })
  return rows.map((r) => [String(r.key), String(r.type), r.value, String(r.c)])
}
