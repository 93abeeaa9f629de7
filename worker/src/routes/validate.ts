import type { Context } from 'hono'
import type { z } from 'zod'
import type { Db } from '../db/types.js'
import { ApiError } from '../errors.js'

/** The JSON body parsed by a schema; the first problem becomes a 400 naming its field. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not valid JSON')
  }
  return parseOr400(schema, raw)
}

export function parseOr400<S extends z.ZodType>(schema: S, raw: unknown, prefix = ''): z.output<S> {
  let r: z.ZodSafeParseResult<z.output<S>>
  try {
    r = schema.safeParse(raw) as z.ZodSafeParseResult<z.output<S>>
  } catch {
    // zod's min()/max() run even on a value of the wrong type that has a `length` key, and an
    // object there ({"length": {"toString": 1}}) throws inside zod: still the caller's mistake.
    throw new ApiError(400, 'invalid_body', `${prefix || 'the body'}: a value has the wrong type`)
  }
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const field = prefix + issue.path.map(String).join('.')
  throw new ApiError(400, issue.input === undefined && issue.code === 'invalid_type' ? 'missing_field' : 'invalid_field', `${field || 'body'}: ${issue.message}`, field || undefined)
}

/** A positive integer id from the path. */
export function idParam(c: Context, name: string): number {
  const v = Number(c.req.param(name))
  if (!Number.isSafeInteger(v) || v <= 0) throw new ApiError(404, 'not_found', `no ${name.replace(/Id$|Pk$/, '')} ${c.req.param(name)}`)
  return v
}

/**
 * The user pk, once it names a user of this project: a pk of another project's user is
 * "not found" here, as it would be if nobody had it, never an empty answer.
 */
export async function ownUser(db: Db, projectId: string, pk: number): Promise<number> {
  const { rows } = await db.execute({ sql: 'SELECT 1 FROM users WHERE project_id = ? AND id = ?', args: [projectId, pk] })
  if (!rows.length) throw new ApiError(404, 'not_found', `no user ${pk} in this project`)
  return pk
}
