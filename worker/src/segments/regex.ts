import { compileNfa } from './regex-nfa.js'

/**
 * "matches" must mean the same in JavaScript (evaluate) and in libSQL's REGEXP, which is
 * SQLite's ext/misc/regexp.c: unanchored search, `.` matches any character including a
 * newline, ASCII-only classes, no flags, no lookaround, no backreferences.
 *
 * `portableRegex` accepts the syntax both engines read alike and writes it out once for
 * both: \d \w \s become explicit ASCII classes, and case-insensitivity becomes explicit
 * letter classes (`a` → `[aA]`), since regexp.c has no flag for it; the result means to
 * regexp.c what the pattern means to RegExp with the `su` flags. evaluate runs it on
 * regex-nfa.ts (regexp.c's own automaton). Anything outside the shared subset is refused
 * with a reason.
 */
export function portableRegex(pattern: string, caseSensitive: boolean): string {
  let out = ''
  let i = 0
  const fail = (why: string): never => { throw new SyntaxError(`${why} (at ${i})`) }
  const both = (c: string) => (/[a-zA-Z]/.test(c) && !caseSensitive ? c.toLowerCase() + c.toUpperCase() : c)
  // \xHH and \uHHHH. regexp.c reads code 0 as the end of the text, and each half of a
  // surrogate pair as a character of its own (JavaScript reads the pair as one).
  const hex = (n: number) => {
    const h = pattern.slice(i + 1, i + 1 + n)
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) fail(`\\${pattern[i]} needs ${n} hex digits`)
    const code = parseInt(h, 16)
    if (code === 0) fail('\\x00 and \\u0000 are not supported')
    if (code >= 0xd800 && code <= 0xdfff) fail('surrogate escapes are not supported: write the character itself')
    i += n
    return `\\${pattern[i - n]}${h}`
  }

  // regexp.c reads the pattern as a C string.
  if (pattern.includes('\u0000')) fail('a pattern cannot hold NUL')
  // Whether the last thing written was a quantifier: a `?` after one only makes it lazy, which
  // changes nothing for a yes/no search, and regexp.c misreads `a+?` as `a` then `(FORK)?`.
  let quantified = false
  let depth = 0, alternation = false
  while (i < pattern.length) {
    const c = pattern[i]
    const wasQuantified = quantified
    quantified = c === '*' || c === '+' || c === '?' || c === '{'
    if (c === '?' && wasQuantified) {
      quantified = false
      i++
    } else if (c === '\\') {
      const e = pattern[++i]
      if (e === undefined) fail('a pattern cannot end with \\')
      else if (e in CLASS_OUT) out += CLASS_OUT[e]
      else if ('tnrfvb'.includes(e)) out += '\\' + e
      else if (e === 'x') out += hex(2)
      else if (e === 'u') out += wrapReplacement(hex(4))
      else if ('\\{}()[]|*+?.^$'.includes(e)) out += '\\' + e
      else fail(`\\${e} is not supported`)
      i++
    } else if (c === '[') {
      out += charClass()
    } else if (c === '(' && pattern[i + 1] === '?') {
      fail('(? groups, lookaround and flags are not supported')
    } else if (c === '(' || c === ')' || c === '|') {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0
      if (c === '|' && depth === 0) alternation = true
      out += c
      i++
    } else if (c === '$') {
      // regexp.c's $ matches the end of the text and nothing may follow it, not even an empty match.
      if (i + 1 < pattern.length && !(pattern[i + 1] === '|' && depth === 0)) fail('$ must end the pattern or one of its top-level alternatives')
      out += c
      i++
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i))
      if (!m) fail('{ must start a repetition like {2} or {2,5}')
      const [text, lo, comma, hi] = m!
      // regexp.c refuses {0} and {0,0} (they repeat nothing), and {0,} with them.
      if (+lo === 0 && (comma === undefined || (hi !== '' && +hi === 0))) fail(`${text} repeats nothing`)
      out += +lo === 0 && comma && hi === '' ? '*' : text
      i += text.length
    } else {
      out += /[a-zA-Z]/.test(c) && !caseSensitive ? `[${both(c)}]` : wrapReplacement(c)
      i++
    }
  }
  // regexp.c takes a leading ^ as anchoring the whole pattern, so `^a|b` would read `^(a|b)`;
  // in a group it is an assertion like JavaScript's.
  if (alternation && out.startsWith('^')) out = '(^)' + out.slice(1)
  if (nfaSize(out) > MAX_STATES) fail(`the pattern is too large once its repetitions are spelled out (over ${MAX_STATES} steps)`)
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
        else if (e === 'x') cls += hex(2)
        else if (e === 'u') cls += hex(4)
        else if (e !== undefined && '\\[]'.includes(e)) cls += '\\' + e
        else if (e === '-') cls += DASH
        else fail(`\\${e ?? ''} is not supported inside [ ]`)
        i++
        if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') fail('a range must start with a plain character')
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
      cls += c === '-' ? DASH : both(c)
      i++
    }
    if (pattern[i] !== ']') fail('a [ class is not closed')
    i++
    return cls + ']'
  }
}

/**
 * U+FFFD goes in a class: regexp.c's scan for a literal prefix compares bytes, so it would
 * miss a lone surrogate (kept as ill-formed UTF-8) that its matcher reads as U+FFFD.
 */
const wrapReplacement = (atom: string) => (atom === '\uFFFD' || atom.toLowerCase() === '\\ufffd' ? '[\uFFFD]' : atom)
/** A literal `-` in a class: regexp.c knows no `\\-` escape, and a bare `-` may start a range. */
const DASH = '\\x2d'
const SPACE = '\\t\\n\\v\\f\\r '
const CLASS_OUT: Record<string, string> = { d: '[0-9]', D: '[^0-9]', w: '[0-9A-Za-z_]', W: '[^0-9A-Za-z_]', s: `[${SPACE}]`, S: `[^${SPACE}]` }
const CLASS_IN: Record<string, string> = { d: '0-9', w: '0-9A-Za-z_', s: SPACE }

/**
 * About how many NFA states regexp.c compiles a portable pattern to: it copies `X{m,n}` out
 * max(m, n) times, and its state numbers are 16-bit (larger patterns silently misbehave).
 */
const MAX_STATES = 10_000
const QUANTIFIER = /[*+?]|\{(\d+)(?:,(\d*))?\}/y
function nfaSize(p: string): number {
  let i = 0
  const alternation = (): number => {
    let size = sequence()
    while (p[i] === '|') { i++; size += 2 + sequence() }
    return size
  }
  const sequence = (): number => {
    let total = 0
    while (i < p.length && p[i] !== '|' && p[i] !== ')') {
      const start = i
      let size = 1
      if (p[i] === '(') { i++; size = alternation(); i++ }
      else if (p[i] === '[') { while (++i < p.length && p[i] !== ']') if (p[i] === '\\') i++; i++; size = i - start }
      else i += p[i] === '\\' ? 2 : 1
      for (let q; (QUANTIFIER.lastIndex = i, q = QUANTIFIER.exec(p)); i = QUANTIFIER.lastIndex) {
        const n = Math.max(+(q[1] ?? 1), +(q[2] || 0))
        size = size * (n + 1) + 2
      }
      total += size
    }
    return total
  }
  return alternation()
}

/** Why a pattern cannot be used, or undefined. */
export function regexProblem(pattern: string, caseSensitive = false): string | undefined {
  try {
    new RegExp(pattern, 'su')
    const portable = portableRegex(pattern, caseSensitive)
    new RegExp(portable, 'su')
    compileNfa(portable)
  } catch (e) {
    return `is not a supported regular expression: ${(e as Error).message}`
  }
}
