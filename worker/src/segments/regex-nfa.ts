/**
 * SQLite's ext/misc/regexp.c (the REGEXP that libSQL and D1 run), ported to run the same
 * automaton in JavaScript: evaluate tests "matches" with it instead of RegExp.
 *
 * Why not RegExp: V8 backtracks, so a pattern like `(.+\w?)+D` takes exponential time on
 * a 30-character value and would stall targeting; regexp.c simulates an NFA in
 * O(text × pattern) and cannot. Running one automaton on both sides also means JS and SQL
 * read every pattern alike by construction. Patterns reach it through `portableRegex`,
 * which also keeps their meaning what JavaScript's RegExp would give them.
 */
export interface Nfa {
  op: number[]
  arg: number[]
  /** When the pattern is unanchored and starts with one character or class: its [lo, hi] ranges. */
  first?: number[]
  scratch?: { lists: Int32Array[]; marks: Int32Array[]; step: number }
}

const MATCH = 1, ANY = 2, ANYSTAR = 3, FORK = 4, GOTO = 5, ACCEPT = 6, CC_INC = 7, CC_EXC = 8, CC_VALUE = 9, CC_RANGE = 10
const WORD = 11, NOTWORD = 12, DIGIT = 13, NOTDIGIT = 14, SPACE = 15, NOTSPACE = 16, BOUNDARY = 17, ATSTART = 18
/** The end of the text, and (RE_START) the "character" before its start. */
const EOF = 0, START = 0xfffffff
const SPECIAL: Record<string, number> = { b: BOUNDARY, d: DIGIT, D: NOTDIGIT, s: SPACE, S: NOTSPACE, w: WORD, W: NOTWORD }
const ESCAPES = 'afnrtv\\()*.+?[$^{|}]', TRANSLATED = '\x07\f\n\r\t\v'

const starts = (ranges: number[], c: number) => { for (let y = 0; y < ranges.length; y += 2) if (ranges[y] <= c && c <= ranges[y + 1]) return true; return false }
const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95
const isDigit = (c: number) => c >= 48 && c <= 57
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13)

/** re_compile(): throws regexp.c's message where SQLite would raise it. */
export function compileNfa(pattern: string): Nfa {
  const p = Array.from(pattern, (ch) => ch.codePointAt(0)!)
  const op: number[] = [], arg: number[] = []
  let i = 0
  const next = () => (i < p.length ? p[i++] : EOF)
  const peek = () => (i < p.length ? String.fromCodePoint(p[i]) : '')
  const insert = (at: number, o: number, a: number) => { op.splice(at, 0, o); arg.splice(at, 0, a); return at }
  const append = (o: number, a: number) => insert(op.length, o, a)
  const copy = (from: number, n: number) => { for (let k = 0; k < n; k++) append(op[from + k], arg[from + k]) }
  const hex = (n: number) => (i + n < p.length && /^[0-9a-fA-F]+$/.test(String.fromCodePoint(...p.slice(i + 1, i + 1 + n))) ? parseInt(String.fromCodePoint(...p.slice(i + 1, i + 1 + n)), 16) : -1)
  const escaped = (): number => { // re_esc_char(), the backslash already read
    const c = peek()
    for (const [letter, n] of [['u', 4], ['x', 2]] as const) {
      const v = c === letter ? hex(n) : -1
      if (v >= 0) { i += n + 1; return v }
    }
    const k = c === '' ? -1 : ESCAPES.indexOf(c)
    if (k < 0) throw new SyntaxError('unknown \\ escape')
    i++
    return k < 6 ? TRANSLATED.charCodeAt(k) : c.codePointAt(0)!
  }
  const alternation = () => { // re_subcompile_re()
    const start = op.length
    sequence()
    while (peek() === '|') {
      insert(start, FORK, op.length + 2 - start)
      const jump = append(GOTO, 0)
      i++
      sequence()
      arg[jump] = op.length - jump
    }
  }
  const sequence = () => { // re_subcompile_string()
    let prev = -1
    for (let c; (c = next()) !== EOF;) {
      const start = op.length
      const ch = String.fromCodePoint(c)
      if (ch === '|' || ch === ')') { i--; return }
      if ('*+?{'.includes(ch) && prev < 0) throw new SyntaxError(`'${ch}' without operand`)
      if (ch === '(') {
        alternation()
        if (peek() !== ')') throw new SyntaxError("unmatched '('")
        i++
      } else if (ch === '.') {
        if (peek() === '*') { append(ANYSTAR, 0); i++ } else append(ANY, 0)
      } else if (ch === '*') {
        insert(prev, GOTO, op.length - prev + 1)
        append(FORK, prev - op.length + 1)
      } else if (ch === '+') append(FORK, prev - op.length)
      else if (ch === '?') insert(prev, FORK, op.length - prev + 1)
      else if (ch === '$') append(MATCH, EOF)
      else if (ch === '^') append(ATSTART, 0)
      else if (ch === '{') {
        const m = /^(\d*)(?:(,)(\d*))?\}/.exec(String.fromCodePoint(...p.slice(i, i + 24)))
        if (!m) throw new SyntaxError("unmatched '{'")
        const lo = +m[1]
        let hi = m[2] ? +m[3] : lo
        if (hi > 0 && hi < lo) throw new SyntaxError("n less than m in '{m,n}'")
        i += m[0].length
        const size = op.length - prev
        if (lo === 0) {
          if (hi === 0) throw new SyntaxError("both m and n are zero in '{m,n}'")
          insert(prev, FORK, size + 1)
          prev++
          hi--
        } else for (let k = 1; k < lo; k++) copy(prev, size)
        for (let k = lo; k < hi; k++) { append(FORK, size + 1); copy(prev, size) }
        if (hi === 0 && lo > 0) append(FORK, -size)
      } else if (ch === '[') {
        const first = append(peek() === '^' ? CC_EXC : CC_INC, 0)
        if (op[first] === CC_EXC) i++
        let d = EOF
        while ((d = next()) !== EOF) {
          if (d === 91 && peek() === ':') throw new SyntaxError('POSIX character classes not supported')
          if (d === 92) d = escaped()
          if (peek() === '-') {
            append(CC_RANGE, d)
            i++
            d = next()
            if (d === 92) d = escaped()
            append(CC_RANGE, d)
          } else append(CC_VALUE, d)
          if (peek() === ']') { i++; break }
        }
        if (d === EOF) throw new SyntaxError("unclosed '['")
        arg[first] = op.length - first
      } else if (ch === '\\') {
        const special = SPECIAL[peek()]
        if (special) { i++; append(special, 0) } else append(MATCH, escaped())
      } else append(MATCH, c)
      prev = start
    }
  }

  if (p[0] === 94) i++ // a leading ^ anchors: no .* before the pattern
  else append(ANYSTAR, 0)
  alternation()
  if (i < p.length) throw new SyntaxError('unrecognized character')
  append(ACCEPT, 0)
  return { op, arg, first: firstChars(op, arg) }
}

/** The characters a match can start with, as [lo, hi] pairs, or undefined if that is not simple. */
function firstChars(op: number[], arg: number[]): number[] | undefined {
  if (op[0] !== ANYSTAR) return
  if (op[1] === MATCH) return arg[1] === EOF ? undefined : [arg[1], arg[1]]
  if (op[1] !== CC_INC) return
  const ranges: number[] = []
  for (let y = 2; y < 1 + arg[1]; y++) ranges.push(arg[y], op[y] === CC_RANGE ? arg[++y] : arg[y])
  return ranges
}

/** re_match(): does the NFA match anywhere in the text? Text is read up to a NUL, as C does. */
export function nfaTest(re: Nfa, text: string): boolean {
  const { op, arg } = re
  // Two state lists, each with marks of the step that last added a state (re_add_state's
  // dedupe); kept on the compiled pattern so that a test allocates nothing.
  const s = (re.scratch ??= { lists: [new Int32Array(op.length), new Int32Array(op.length)], marks: [new Int32Array(op.length), new Int32Array(op.length)], step: 0 })
  if (s.step > 2 ** 30) { s.marks[0].fill(0); s.marks[1].fill(0); s.step = 0 }
  let here = s.lists[0], there = s.lists[1], hereMarks = s.marks[0], thereMarks = s.marks[1]
  let step = ++s.step, nThere = 1
  there[0] = 0
  thereMarks[0] = step
  const first = re.first
  let c = START, cPrev = START, k = 0
  while (c !== EOF && nThere > 0) {
    // Only the leading .* is alive: skip what cannot start a match (regexp.c's zInit scan).
    if (first && nThere === 1 && there[0] === 0) {
      for (let cp; k < text.length && !starts(first, (cp = text.codePointAt(k)!)); k += cp > 0xffff ? 2 : 1) c = cp
    }
    cPrev = c
    c = k < text.length ? text.codePointAt(k)! : EOF
    k += c > 0xffff ? 2 : 1
    const list = here, marks = hereMarks
    here = there
    hereMarks = thereMarks
    there = list
    thereMarks = marks
    let nHere = nThere
    nThere = 0
    step = ++s.step
    for (let j = 0; j < nHere; j++) hereMarks[here[j]] = step
    for (let j = 0; j < nHere; j++) {
      const x = here[j]
      // Each case adds at most two states: `later` to the next step's list, `now` to this one.
      let later = -1, now = -1, now2 = -1
      switch (op[x]) {
        case MATCH: if (arg[x] === c) later = x + 1; break
        case ATSTART: if (cPrev === START) now = x + 1; break
        case ANY: if (c !== EOF) later = x + 1; break
        case WORD: if (isWord(c)) later = x + 1; break
        case NOTWORD: if (!isWord(c) && c !== EOF) later = x + 1; break
        case DIGIT: if (isDigit(c)) later = x + 1; break
        case NOTDIGIT: if (!isDigit(c) && c !== EOF) later = x + 1; break
        case SPACE: if (isSpace(c)) later = x + 1; break
        case NOTSPACE: if (!isSpace(c) && c !== EOF) later = x + 1; break
        case BOUNDARY: if (isWord(c) !== isWord(cPrev)) now = x + 1; break
        case ANYSTAR: later = x; now = x + 1; break
        case FORK: now = x + arg[x]; now2 = x + 1; break
        case GOTO: now = x + arg[x]; break
        case ACCEPT: return true
        case CC_EXC: case CC_INC: {
          if (op[x] === CC_EXC && c === EOF) break
          let hit = false
          for (let y = x + 1; y < x + arg[x] && !hit; y++) {
            if (op[y] === CC_VALUE) hit = arg[y] === c
            else { hit = arg[y] <= c && c <= arg[y + 1]; y++ }
          }
          if (hit !== (op[x] === CC_EXC)) later = x + arg[x]
        }
      }
      if (later >= 0 && thereMarks[later] !== step) { thereMarks[later] = step; there[nThere++] = later }
      if (now >= 0 && hereMarks[now] !== step) { hereMarks[now] = step; here[nHere++] = now }
      if (now2 >= 0 && hereMarks[now2] !== step) { hereMarks[now2] = step; here[nHere++] = now2 }
    }
  }
  for (let j = 0; j < nThere; j++) {
    let x = there[j]
    while (op[x] === GOTO) x += arg[x]
    if (op[x] === ACCEPT) return true
  }
  return false
}
