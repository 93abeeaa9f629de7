import type { Db } from './types.js'

/** Users per transaction: a backfill never holds the write lock for long. */
export const BACKFILL_BATCH = 5_000

/**
 * Copies the attributes of users that existed before migration 0005 into the typed
 * storage (`user_attributes`, `user_attribute_items`), in bounded batches by user key,
 * resumable: each batch commits with its progress, so a crash mid-way continues where
 * it stopped. Rows written since the migration are kept by the triggers and left as they
 * are (INSERT OR IGNORE: the trigger wrote the same current values).
 *
 * Run before serving: `npm start` and the deploy script call it after migrating.
 * `maxBatches` stops early (the next call goes on). Returns the span of user keys copied.
 *
 * @example await completeBackfills(db, { log: console.log })
 */
export async function completeBackfills(db: Db, opts: { batch?: number; maxBatches?: number; log?: (s: string) => void } = {}): Promise<number> {
  const batch = opts.batch ?? BACKFILL_BATCH
  let copied = 0
  for (let n = 0; n < (opts.maxBatches ?? Infinity); n++) {
    const { rows } = await db.execute(`SELECT through_pk, last_pk FROM storage_backfills WHERE name = 'user_attributes'`)
    if (!rows[0]) return copied
    const through = Number(rows[0].through_pk)
    const last = Number(rows[0].last_pk)
    if (through >= last) return copied
    const to = Math.min(last, through + batch)
    const args = { from: through, to }
    await db.batch([
      {
        sql: `INSERT OR IGNORE INTO user_attributes (user_pk, key, project_id, type, value)
          SELECT u.id, j.key, u.project_id, j.type, j.value FROM users u, json_each(u.attributes) j
          WHERE u.id > :from AND u.id <= :to AND u.attributes <> '{}'`,
        args,
      },
      {
        sql: `INSERT OR IGNORE INTO user_attribute_items (user_pk, key, item, project_id)
          SELECT u.id, j.key, i.value, u.project_id FROM users u, json_each(u.attributes) j, json_each(j.value) i
          WHERE u.id > :from AND u.id <= :to AND j.type = 'array' AND i.type = 'text'`,
        args,
      },
      // The guard makes a batch that two processes ran at once count once.
      { sql: `UPDATE storage_backfills SET through_pk = :to WHERE name = 'user_attributes' AND through_pk = :from`, args },
    ], 'write')
    copied += to - through
    opts.log?.(`typed attributes: ${to.toLocaleString('en')} / ${last.toLocaleString('en')} users`)
  }
  return copied
}
