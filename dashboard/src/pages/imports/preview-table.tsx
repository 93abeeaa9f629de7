// The first rows as the import will store them: the same conversion the server runs, so a
// cell that would be refused, or a row the parser could not read, shows its reason here.
import { TYPE_LABEL, convertRead, type Mapping, type RowError } from './mapping'
import { storedText } from './import-format'

export const PREVIEW_ROWS = 8

export function PreviewTable({ mapping, sample, rowNumbers, syntax }: { mapping: Mapping; sample: string[][]; rowNumbers: number[]; syntax: RowError[] }) {
  const cols = mapping.columns
  const has = (t: string) => cols.some((c) => c.target === t)
  const attrs = cols.filter((c) => c.target === 'attribute' && c.key)
  const unreadable = new Map(syntax.map((e) => [e.row, e]))
  const rows = sample.slice(0, PREVIEW_ROWS).map((cells, i) => ({ cells, row: rowNumbers[i], ...convertRead(mapping, cells, rowNumbers[i], unreadable.get(rowNumbers[i])) }))
  const width = 1 + ['userId', 'email', 'name', 'tag'].filter(has).length + attrs.length
  if (!has(mapping.match)) return <p class="muted">Map a column to {mapping.match === 'email' ? 'Email' : 'User id'} to see the preview.</p>
  return (
    <div class="table-wrap flat preview-wrap">
      <table class="table compact preview-table">
        <thead>
          <tr>
            <th class="num">Row</th>
            {has('userId') && <th>User id</th>}
            {has('email') && <th>Email</th>}
            {has('name') && <th>Name</th>}
            {attrs.map((c) => (
              <th key={c.header + c.key} title={c.header}>
                <span class="mono">{c.key}</span> <span class="type-chip">{TYPE_LABEL[c.type ?? 'string']}</span>
              </th>
            ))}
            {has('tag') && <th>Tags</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ value, errors, row }, i) => {
            const bad = new Set(errors.map((e) => e.column))
            const cell = (header: string | undefined, text: string | null | undefined, mono = false) => (
              <td class={[header && bad.has(header) ? 'cell-bad' : '', mono ? 'mono' : ''].join(' ')}>
                {text === null || text === undefined || text === '' ? <span class="muted">—</span> : <span class="cell-text">{text}</span>}
              </td>
            )
            const raw = (t: string) => {
              const k = cols.findIndex((c) => c.target === t)
              return k < 0 ? undefined : rows[i].cells[k]?.trim()
            }
            // A refused row is shown as read, struck through: it will be skipped whole.
            const show = (t: 'userId' | 'email' | 'name') => (value ? value[t] : raw(t))
            return [
              <tr key={i} class={value ? undefined : 'row-bad'}>
                <td class="num muted">{row}</td>
                {has('userId') && cell(cols.find((c) => c.target === 'userId')!.header, show('userId'), true)}
                {has('email') && cell(cols.find((c) => c.target === 'email')!.header, show('email'))}
                {has('name') && cell(cols.find((c) => c.target === 'name')!.header, show('name'))}
                {attrs.map((c) => {
                  const v = value?.attributes[c.key!]
                  const k = cols.indexOf(c)
                  return cell(c.header, v !== undefined ? storedText(v) : value ? null : rows[i].cells[k]?.trim(), typeof v === 'number' || typeof v === 'boolean')
                })}
                {has('tag') && (
                  <td>
                    {value ? (value.tags.length ? <span class="chips-inline">{value.tags.map((t) => <span key={t} class="badge subtle">{t}</span>)}</span> : <span class="muted">—</span>) : <span class="muted">—</span>}
                  </td>
                )}
              </tr>,
              errors.length > 0 && (
                <tr key={`${i}-problem`} class="row-problem">
                  <td class="num" />
                  <td colSpan={width - 1}>
                    {errors.map((e, k) => (
                      <div key={k}>Skipped: {e.column ? <strong>{e.column}</strong> : 'the row'} {e.value !== null && <q>{e.value}</q>} {e.reason}</div>
                    ))}
                  </td>
                </tr>
              ),
            ]
          })}
        </tbody>
      </table>
    </div>
  )
}
