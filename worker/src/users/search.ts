import type { Bind } from '../segments/operators.js'

/**
 * The Users search (F-21) as a condition over `users u`: user id, email or name, "starts
 * with" (`prefix`) or "contains", case-insensitive, always through an index.
 *
 * - 3 characters or more: the FTS5 trigram index `users_search` (migration 0005). It folds
 *   case by Unicode's simple case mapping (É = é, ǅ = ǆ; ß is not ss); diacritics are kept
 *   (é ≠ e). `^"…"` is "a field starts with".
 * - 1 or 2 characters (too short for a trigram): "starts with", whatever `match` says,
 *   through the (project, email|name|user id) indexes: one key range per spelling of the
 *   term's letters in upper and lower case.
 *
 * `probe`: the match set is only probed (a page walking the last-seen index in order).
 */
export function searchSql(term: string, match: 'prefix' | 'contains', projectId: string, bind: Bind, probe = false): string {
  const chars = [...term]
  if (chars.length >= 3) return `${probe ? '+' : ''}u.id IN (${trigramIdsSql(term, match, bind)})`
  return `${probe ? '+' : ''}u.id IN (${prefixIdsSql(chars, projectId, bind)})`
}

/**
 * The ids a search matches, as one JSON array, for a caller that intersects them with the
 * project's own users in memory (the users' columns, loaded with the project's key): from
 * 3 characters the trigram index's matches, read with no lookup of each user's row — the
 * index has no project column, so those per-row lookups for project and status were most
 * of a search's cost (100 of 110 ms for 40k matches at 1M users). Below 3 characters, the
 * project's column index ranges.
 */
export function searchIdsSql(term: string, match: 'prefix' | 'contains', projectId: string, bind: Bind): string {
  const chars = [...term]
  return `SELECT json_group_array(id) AS ids FROM (${chars.length >= 3 ? trigramIdsSql(term, match, bind) : prefixIdsSql(chars, projectId, bind)})`
}

const trigramIdsSql = (term: string, match: 'prefix' | 'contains', bind: Bind) =>
  `SELECT rowid AS id FROM users_search WHERE users_search MATCH ${bind(`${match === 'prefix' ? '^' : ''}"${term.replaceAll('"', '""')}"`)}`

function prefixIdsSql(chars: string[], projectId: string, bind: Bind): string {
  // A prefix as a key range: exactly the texts ≥ s and < s with its last character + 1.
  const p = bind(projectId)
  const ranges = spellings(chars).flatMap((s) => {
    const last = s.codePointAt(s.length - 1)!
    const [from, to] = [bind(s), bind(s.slice(0, -[...s].pop()!.length) + String.fromCodePoint(last + 1))]
    return ['user_id', 'email', 'name'].map((col) => `SELECT id FROM users WHERE project_id = ${p} AND ${col} >= ${from} AND ${col} < ${to}`)
  })
  return ranges.join(' UNION ALL ')
}

/** Every spelling of a short term with each letter in its upper or lower case (at most 4 for 2 letters). */
function spellings(chars: string[]): string[] {
  let out = ['']
  for (const ch of chars) {
    const cases = new Set([ch, ch.toLowerCase(), ch.toUpperCase()].filter((c) => [...c].length === 1))
    out = out.flatMap((s) => [...cases].map((c) => s + c))
  }
  return out
}
