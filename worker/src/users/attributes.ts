import type { Db } from '../db/types.js'
import { ApiError } from '../errors.js'

/**
 * Custom attribute values checked against the project's declared types (F-25, F-72).
 * Undeclared keys take any JSON value; null removes a key.
 */
export async function checkAttributeTypes(db: Db, projectId: string, attrs: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(attrs)
  if (!keys.length) return
  const { rows } = await db.execute({ sql: `SELECT key, type FROM attribute_definitions WHERE project_id = ? AND key IN (${keys.map(() => '?').join(', ')})`, args: [projectId, ...keys] })
  for (const r of rows) {
    const key = String(r.key)
    const v = attrs[key]
    if (v === null) continue
    const ok = {
      string: typeof v === 'string',
      number: typeof v === 'number' && Number.isFinite(v),
      boolean: typeof v === 'boolean',
      date: (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && Number.isFinite(Date.parse(v))),
      list: Array.isArray(v) && v.every((x) => typeof x === 'string'),
    }[String(r.type)]
    if (!ok) throw new ApiError(400, 'invalid_attribute', `${key} is declared as ${r.type}`, `attributes.${key}`)
  }
}
