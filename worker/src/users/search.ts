import type { Bind } from '../segments/operators.js'

/**
 * The Users search (F-21) as a condition over `users u`: user id, email or name, "starts
 * with" (`prefix`) or "contains", case-insensitive, always through an index.
 *
 * - 3 characters or more: the FTS5 trigram index `users_search` (migration 0005). It folds
 *   case by Unicode's simple case mapping (É = é, ǅ = ǆ; ß is not ss); diacritics are kept
 *   (é ≠ e). `^"…"` is "a field starts with".
 * - 1 or 2 characters (too short for a trigram): "starts with", whatever `match` says,
 *   through the (project, email|name|user id) indexes: one GLOB range per spelling of the
 *   term's letters in upper and lower case.
 */
export function searchSql(term: string, match: 'prefix' | 'contains', projectId: string, bind: Bind): string {
  const chars = [...term]
  if (chars.length >= 3) {
    const phrase = `${match === 'prefix' ? '^' : ''}"${term.replaceAll('"', '""')}"`
    return `u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ${bind(phrase)})`
  }
  const p = bind(projectId)
  const ranges = spellings(chars).flatMap((s) => {
    const glob = bind(s.replace(/[*?[]/g, (ch) => `[${ch}]`) + '*')
    return ['u.user_id', 'u.email', 'u.name'].map((col) => `(u.project_id = ${p} AND ${col} GLOB ${glob})`)
  })
  return `(${ranges.join(' OR ')})`
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
