import type { Client } from '@libsql/client'

/** Every row of every table, as `table: {json}` lines: what "no row left anywhere" is checked against. */
export async function allRows(db: Client): Promise<string[]> {
  const tables = (await db.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`)).rows.map((r) => String(r.name))
  const out: string[] = []
  for (const name of tables) for (const row of (await db.execute(`SELECT * FROM "${name}"`)).rows) out.push(`${name}: ${JSON.stringify(row)}`)
  return out
}
