/**
 * The one results table `npm run bench` prints: every benchmark adds its rows (a figure,
 * its baseline measured in the same run, the ratio, the target) and notes (lines printed
 * under the table). Later benchmarks (targeting, snippet size, imports) add to the same one.
 */
export interface Row {
  figure: string
  value: string
  baseline?: string
  baselineValue?: string
  ratio?: string
  target?: string
  /** Whether the target is met; undefined when the row has no target. */
  met?: boolean
}

const COLUMNS: [keyof Row, string][] = [
  ['figure', 'figure'], ['value', 'value'], ['baseline', 'baseline'], ['baselineValue', 'baseline value'],
  ['ratio', 'ratio'], ['target', 'target'], ['met', 'met'],
]

export class Table {
  readonly rows: Row[] = []
  readonly notes: string[] = []
  constructor(readonly header: string[] = []) {}

  add(row: Row) { this.rows.push(row) }
  note(line: string) { this.notes.push(line) }
  /** True when no row misses its target. */
  get allMet() { return this.rows.every((r) => r.met !== false) }

  render(): string {
    const cell = (r: Row, k: keyof Row) => k === 'met' ? (r.met === undefined ? '' : r.met ? 'yes' : 'NO') : String(r[k] ?? '')
    const cells = [COLUMNS.map(([, title]) => title), ...this.rows.map((r) => COLUMNS.map(([k]) => cell(r, k)))]
    const width = COLUMNS.map((_, i) => Math.max(3, ...cells.map((line) => line[i].length)))
    const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(width[i])).join(' | ')} |`
    const out = [...this.header, '', line(cells[0]), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)]
    if (this.notes.length) out.push('', ...this.notes)
    return out.join('\n')
  }
}

/** Number formatting shared by the benchmarks. */
export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  us: (n: number) => `${Math.round(n).toLocaleString('en-US')} µs`,
  ms: (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`,
  ratio: (n: number) => n.toFixed(2),
}
