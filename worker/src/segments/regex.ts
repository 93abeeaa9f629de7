/**
 * "matches" must mean the same in JavaScript (evaluate) and in libSQL's REGEXP, which is
 * SQLite's ext/misc/regexp.c: unanchored search, `.` matches any character including a
 * newline, ASCII-only classes, no flags, no lookaround, no backreferences.
 *
 * `portableRegex` accepts the syntax both engines read alike and writes it out once for
 * both: \d \w \s become explicit ASCII classes, and case-insensitivity becomes explicit
 * letter classes (`a` → `[aA]`), since regexp.c has no flag for it. JavaScript runs the
 * result with the `su` flags. Anything outside the shared subset is refused with a reason.
 */
export function portableRegex(pattern: string, caseSensitive: boolean): string {
  let out = ''
  let i = 0
  const fail = (why: string): never => { throw new SyntaxError(`${why} (at ${i})`) }
  const both = (c: string) => (/[a-zA-Z]/.test(c) && !caseSensitive ? c.toLowerCase() + c.toUpperCase() : c)
  const hex = (n: number) => {
    const h = pattern.slice(i + 1, i + 1 + n)
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) fail(`\\${pattern[i]} needs ${n} hex digits`)
    i += n
    return h
  }

  while (i < pattern.length) {
    const c = pattern[i]
    if (c === '\\') {
      const e = pattern[++i]
      if (e === undefined) fail('a pattern cannot end with \\')
      else if (e in CLASS_OUT) out += CLASS_OUT[e]
      else if ('tnrfvb'.includes(e)) out += '\\' + e
      else if (e === 'x') out += '\\x' + hex(2)
      else if (e === 'u') out += '\\u' + hex(4)
      else if ('\\{}()[]|*+?.^$'.includes(e)) out += '\\' + e
      else fail(`\\${e} is not supported`)
      i++
    } else if (c === '[') {
      out += charClass()
    } else if (c === '(' && pattern[i + 1] === '?') {
      fail('(? groups, lookaround and flags are not supported')
    } else if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i))
      if (!m) fail('{ must start a repetition like {2} or {2,5}')
      out += m![0]
      i += m![0].length
    } else {
      out += /[a-zA-Z]/.test(c) && !caseSensitive ? `[${both(c)}]` : c
      i++
    }
  }
  return out

  function charClass(): string {
    let cls = '['
    i++
    if (pattern[i] === '^') { cls += '^'; i++ }
    if (pattern[i] === ']') fail('a class cannot be empty or start with ]')
    while (i < pattern.length && pattern[i] !== ']') {
      let c = pattern[i]
      if (c === '\\') {
        const e = pattern[++i]
        if (e !== undefined && e in CLASS_IN) cls += CLASS_IN[e]
        else if (e !== undefined && 'tnrfv'.includes(e)) cls += '\\' + e
        else if (e === 'x') cls += '\\x' + hex(2)
        else if (e === 'u') cls += '\\u' + hex(4)
        else if (e !== undefined && '\\[]'.includes(e)) cls += '\\' + e
        else fail(`\\${e ?? ''} is not supported inside [ ]`)
        i++
        continue
      }
      if (c === '[') fail('[ inside a class must be escaped')
      if (pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
        const to = pattern[i + 2]
        if (to === '\\' || to === '[') fail('a range must end in a plain character')
        const lower = /[a-z]/.test(c) && /[a-z]/.test(to), upper = /[A-Z]/.test(c) && /[A-Z]/.test(to)
        if (!caseSensitive && !lower && !upper && (/[a-zA-Z]/.test(c) || /[a-zA-Z]/.test(to))) fail('a case-insensitive range must be all lower or all upper case letters')
        cls += `${c}-${to}` + (!caseSensitive && lower ? `${c.toUpperCase()}-${to.toUpperCase()}` : !caseSensitive && upper ? `${c.toLowerCase()}-${to.toLowerCase()}` : '')
        i += 3
        continue
      }
      cls += c === '-' ? '\\-' : both(c)
      i++
    }
    if (pattern[i] !== ']') fail('a [ class is not closed')
    i++
    return cls + ']'
  }
}

const SPACE = '\\t\\n\\v\\f\\r '
const CLASS_OUT: Record<string, string> = { d: '[0-9]', D: '[^0-9]', w: '[0-9A-Za-z_]', W: '[^0-9A-Za-z_]', s: `[${SPACE}]`, S: `[^${SPACE}]` }
const CLASS_IN: Record<string, string> = { d: '0-9', w: '0-9A-Za-z_', s: SPACE }

/** Why a pattern cannot be used, or undefined. */
export function regexProblem(pattern: string, caseSensitive = false): string | undefined {
  try {
    new RegExp(portableRegex(pattern, caseSensitive), 'su')
  } catch (e) {
    return `is not a supported regular expression: ${(e as Error).message}`
  }
}
