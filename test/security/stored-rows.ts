import type { Client } from '@libsql/client'
import { LIMITS } from '../../worker/src/ingest/limits.js'

/**
 * Checks every row the collector writes against the schema and the collector's own rules.
 * Text is read as hex and decoded here: a value that is not valid UTF-8 would make the
 * libSQL client panic (and end the process) if it were read as text.
 */

const TABLES = ['users', 'devices', 'events', 'aliases', 'interactions', 'responses', 'segment_members'] as const
const JSON_COLUMNS = new Set(['users.attributes', 'users.attribute_meta', 'events.properties', 'events.context'])
/** Ids a caller sent: exact, printable, within the id limit. */
const ID_COLUMNS = new Set(['users.user_id', 'users.anonymous_id', 'devices.anonymous_id', 'events.anonymous_id', 'events.message_id',
  'aliases.alias', 'interactions.experience_id', 'interactions.message_id', 'responses.experience_id', 'responses.message_id'])
const MAX_CHARS: Record<string, number> = {
  'users.last_session_id': LIMITS.idChars, 'events.name': LIMITS.eventNameChars, 'users.email': 1000, 'users.name': 1000,
  'devices.user_agent': 1000, 'devices.language': 35, 'devices.timezone': 64, 'devices.browser': 100, 'devices.os': 100,
  'interactions.experience_name': 500, 'responses.question': 2000,
}
const ZOD_COUNTED = new Set(['events.name', 'interactions.experience_name', 'responses.question'])
const TIME_COLUMNS = new Set(['first_seen', 'last_seen', 'timestamp', 'received_at', 'created_at', 'updated_at', 'entered_at', 'computed_at'])
const EVENT_TYPES = new Set(['identify', 'track', 'page', 'screen', 'alias', 'group'])
const DAMAGED = /[\u0000-\u001f\u007f\ufffd]/
const LONE_SURROGATE = /\p{Cs}/u

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const fromHex = (hex: string) => utf8.decode(Buffer.from(hex, 'hex'))

export interface StoredRows { problems: string[]; counts: Record<string, number>; messageIds: Set<string> }

export async function storedRowProblems(db: Client, projectId: string): Promise<StoredRows> {
  const problems: string[] = []
  const counts: Record<string, number> = {}
  const messageIds = new Set<string>()
  const problem = (where: string, what: string) => problems.length < 50 && problems.push(`${where}: ${what}`)

  for (const table of TABLES) {
    const columns = (await db.execute(`PRAGMA table_info(${table})`)).rows.map((r) => ({ name: String(r.name), type: String(r.type).toUpperCase(), notNull: Number(r.notnull) === 1 }))
    const select = columns.map((c) => `typeof("${c.name}") AS "t_${c.name}", CASE WHEN typeof("${c.name}") = 'text' THEN hex("${c.name}") ELSE "${c.name}" END AS "v_${c.name}"`)
    // A clustered table (WITHOUT ROWID: segment_members) is named by its key instead.
    const rowName = table === 'segment_members' ? "segment_id || '/' || user_pk" : 'rowid'
    const { rows } = await db.execute(`SELECT ${rowName} AS _row, ${select.join(', ')} FROM ${table}`)
    counts[table] = rows.length
    for (const row of rows) {
      const at = `${table} row ${row._row}`
      for (const c of columns) {
        const type = String(row[`t_${c.name}`])
        const raw = row[`v_${c.name}`]
        const name = `${table}.${c.name}`
        if (type === 'null') {
          if (c.notNull) problem(at, `${c.name} is NULL`)
          continue
        }
        const wanted = c.type === 'INTEGER' ? 'integer' : 'text'
        if (type !== wanted) { problem(at, `${c.name} is ${type}, not ${wanted}`); continue }
        if (type === 'integer') {
          if (TIME_COLUMNS.has(c.name) && Math.abs(Number(raw)) > 8.64e15) problem(at, `${c.name} ${raw} is not a date`)
          if ((c.name === 'sessions' || c.name === 'events_count' || c.name === 'experiences_seen') && Number(raw) < 0) problem(at, `${c.name} is negative`)
          continue
        }
        let text: string
        try {
          text = fromHex(String(raw))
        } catch {
          problem(at, `${c.name} is not valid UTF-8 (hex ${String(raw).slice(0, 40)})`)
          continue
        }
        if (text.includes('\u0000')) problem(at, `${c.name} holds NUL, which reads back truncated`)
        if (c.name === 'project_id' && text !== projectId) problem(at, `project_id ${text}`)
        if (ID_COLUMNS.has(name)) {
          if (text.length > LIMITS.idChars) problem(at, `${c.name} has ${text.length} characters: ${JSON.stringify(text)}`)
          if (name !== 'events.message_id' && name !== 'interactions.message_id' && name !== 'responses.message_id' && (DAMAGED.test(text) || text.trim() !== text || !text)) problem(at, `${c.name} ${JSON.stringify(text)} is not a clean id`)
          if (c.name === 'message_id' && DAMAGED.test(text)) problem(at, `message_id ${JSON.stringify(text)} is damaged`)
        }
        // Names checked by zod, whose max() counts code points; the rest are sliced in UTF-16 units.
        const chars = ZOD_COUNTED.has(name) ? [...text].length : text.length
        if (MAX_CHARS[name] !== undefined && chars > MAX_CHARS[name]) problem(at, `${c.name} has ${chars} characters`)
        if (name === 'events.type' && !EVENT_TYPES.has(text)) problem(at, `type ${text}`)
        if (name === 'events.message_id') messageIds.add(text)
        if (JSON_COLUMNS.has(name)) checkJson(text, (what) => problem(at, `${c.name} ${what}`))
      }
    }
  }
  problems.push(...(await relationProblems(db)), ...(await sqliteJsonProblems(db)))
  return { problems, counts, messageIds }
}

/** A JSON column: an object, strings and keys well-formed and without NUL, nested within the limit. */
function checkJson(text: string, problem: (what: string) => void) {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return problem('is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem(`is not a JSON object: ${text.slice(0, 40)}`)
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v) || v.includes('\u0000')) problem(`holds ${JSON.stringify(v).slice(0, 40)}`)
      return
    }
    if (typeof v !== 'object' || v === null) return
    if (depth > LIMITS.jsonDepth) return problem(`nests deeper than ${LIMITS.jsonDepth}`)
    for (const [k, x] of Object.entries(v)) {
      if (LONE_SURROGATE.test(k) || k.includes('\u0000')) problem(`has the key ${JSON.stringify(k)}`)
      walk(x, depth + 1)
    }
  }
  walk(value, 1)
}

/** Every row that names a profile names one that exists. */
async function relationProblems(db: Client): Promise<string[]> {
  const checks: [string, string][] = [
    ['events without a profile', 'SELECT count(*) AS n FROM events WHERE user_pk NOT IN (SELECT id FROM users)'],
    ['devices without a profile', 'SELECT count(*) AS n FROM devices WHERE user_pk IS NOT NULL AND user_pk NOT IN (SELECT id FROM users)'],
    ['aliases without a profile', 'SELECT count(*) AS n FROM aliases WHERE user_pk NOT IN (SELECT id FROM users)'],
    ['interactions without a profile', 'SELECT count(*) AS n FROM interactions WHERE user_pk NOT IN (SELECT id FROM users)'],
    ['responses without a profile', 'SELECT count(*) AS n FROM responses WHERE user_pk NOT IN (SELECT id FROM users)'],
    ['memberships without a profile', 'SELECT count(*) AS n FROM segment_members WHERE user_pk NOT IN (SELECT id FROM users)'],
    ['profiles whose events_count is not their activity events', `SELECT count(*) AS n FROM users u WHERE events_count <>
      (SELECT count(*) FROM events e WHERE e.user_pk = u.id AND e.type IN ('track', 'page', 'screen'))`],
  ]
  const out: string[] = []
  for (const [what, sql] of checks) {
    const n = Number((await db.execute(sql)).rows[0].n)
    if (n) out.push(`${n} ${what}`)
  }
  return out
}

/**
 * What SQLite's JSON functions hand back (json_each / json_tree, as the catalog and the
 * segment engine use them) must be valid UTF-8 without NUL. Only values that are not plain
 * ASCII are fetched: length() stops at NUL and counts characters, the blob counts bytes.
 */
async function sqliteJsonProblems(db: Client): Promise<string[]> {
  const out: string[] = []
  for (const [table, column] of [...JSON_COLUMNS].map((c) => c.split('.'))) {
    const { rows } = await db.execute(`SELECT hex(j.key) AS k, CASE WHEN j.type = 'text' THEN hex(j.atom) END AS v
      FROM ${table} t, json_tree(t.${column}) j
      WHERE (typeof(j.key) = 'text' AND length(CAST(j.key AS BLOB)) <> length(j.key))
         OR (j.type = 'text' AND length(CAST(j.atom AS BLOB)) <> length(j.atom))`)
    for (const r of rows) {
      for (const hex of [r.k, r.v]) {
        if (typeof hex !== 'string') continue
        try {
          if (fromHex(hex).includes('\u0000')) out.push(`${table}.${column}: json_tree reads a NUL (hex ${hex.slice(0, 40)})`)
        } catch {
          out.push(`${table}.${column}: json_tree reads invalid UTF-8 (hex ${hex.slice(0, 40)})`)
        }
      }
      if (out.length > 20) return out
    }
  }
  return out
}
