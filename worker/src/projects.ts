import type { Db } from './db/types.js'

export interface ProjectKeys {
  id: string
  allowedOrigins: string[]
  verification: 'off' | 'optional' | 'required'
}

/**
 * Finds the project a collector key belongs to. The public write key may only send;
 * the secret key (server SDKs) marks what it sends as coming from the API.
 */
export async function projectForKey(db: Db, key: string): Promise<{ project: ProjectKeys; secret: boolean } | null> {
  const { rows } = await db.execute({
    sql: `SELECT id, allowed_origins, verification, write_key = :k AS public FROM projects WHERE write_key = :k OR secret_key = :k
          OR (previous_secret_key = :k AND previous_secret_expires_at > :now) LIMIT 1`,
    args: { k: key, now: Date.now() },
  })
  const row = rows[0]
  if (!row) return null
  return {
    project: {
      id: String(row.id),
      allowedOrigins: JSON.parse(String(row.allowed_origins)) as string[],
      verification: row.verification as ProjectKeys['verification'],
    },
    secret: !Number(row.public),
  }
}

export function originAllowed(project: ProjectKeys, origin: string | undefined): boolean {
  return !origin || project.allowedOrigins.includes('*') || project.allowedOrigins.includes(origin)
}
