// Step 3: the whole file read once (streamed) and every row converted as the server will:
// how many rows, how many will be skipped and why. Then the options and the Import button.
import { useEffect, useState } from 'preact/hooks'
import { ErrorState } from '../../components/states'
import { formatNumber, plural } from '../../format'
import { csvBatches } from '../../../../worker/src/imports/csv-stream'
import { formatBytes } from './import-format'
import { ERROR_LABEL, emptyTally, tallyBatch, type Mapping, type RowErrorCode, type Tally } from './mapping'
import type { ImportView } from '../../api-types'
import { PIECE_CHARS, type LoadedFile } from './upload-step'

/** Rows tallied between two paints. */
const REVIEW_BATCH = 5000

export interface ImportChoice { name: string; segmentName: string | null; rowsTotal: number }

export function ReviewStep(props: { loaded: LoadedFile; mapping: Mapping; resume?: ImportView; onBack: () => void; onImport: (c: ImportChoice) => void }) {
  const { file } = props.loaded
  const [tally, setTally] = useState<Tally | null>(null)
  const [read, setRead] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const [attempt, setAttempt] = useState(0)
  const base = file.name.replace(/\.(csv|tsv|txt)$/i, '')
  const [name, setName] = useState(file.name)
  const [withSegment, setWithSegment] = useState(false)
  const [segmentName, setSegmentName] = useState(`Imported: ${base}`.slice(0, 200))

  useEffect(() => {
    let stop = false
    const t = emptyTally()
    setTally(null)
    setError(null)
    void (async () => {
      try {
        // Leaving the loop (the step was left) cancels the read.
        for await (const batch of csvBatches(file.stream(), REVIEW_BATCH, { pieceChars: PIECE_CHARS })) {
          if (stop) return
          tallyBatch(t, props.mapping, batch)
          setRead(batch.bytes)
          // Lets the page paint between batches: a large file never freezes it.
          await new Promise((ok) => setTimeout(ok, 0))
        }
        if (!stop) setTally(t)
      } catch (e) {
        if (!stop) setError((e as Error).message)
      }
    })()
    return () => void (stop = true)
  }, [file, props.mapping, attempt])

  if (error) return <ErrorState error={error} title="Could not read the file" retry={() => setAttempt((a) => a + 1)} />
  if (!tally) {
    const pct = file.size ? Math.min(100, Math.round((read / file.size) * 100)) : 100
    return (
      <section class="card stack" aria-busy="true">
        <h2 class="section-title">Checking every row…</h2>
        <Progress pct={pct} label={`${formatBytes(read)} of ${formatBytes(file.size)} read`} />
      </section>
    )
  }

  const good = tally.rows - tally.bad
  const codes = Object.entries(tally.byCode).sort((a, b) => b[1] - a[1]) as [RowErrorCode, number][]
  const submit = (e: Event) => {
    e.preventDefault()
    props.onImport({ name: name.trim() || file.name, segmentName: withSegment ? segmentName.trim() || null : null, rowsTotal: tally.rows })
  }

  return (
    <form class="stack" onSubmit={submit}>
      <div class="cards review-metrics">
        <Metric label="Rows" value={tally.rows} testid="review-rows" sub="below the header row" />
        <Metric label="Ready to import" value={good} testid="review-good" tone="good" />
        <Metric label="Will be skipped" value={tally.bad} testid="review-bad" tone={tally.bad ? 'bad' : undefined} sub={tally.bad ? 'listed in the error report' : 'no errors'} />
      </div>

      {(codes.length > 0 || tally.quoting.length > 0) && (
        <section class="card stack">
          <h2 class="section-title">Rows with errors</h2>
          {codes.length > 0 && (
            <ul class="error-kinds">
              {codes.map(([code, n]) => <li key={code}><span class="badge import-failed">{formatNumber(n)}</span> {ERROR_LABEL[code]}</li>)}
            </ul>
          )}
          {tally.sample.length > 0 && (
            <div class="table-wrap flat">
              <table class="table compact error-sample">
                <thead><tr><th class="num">Row</th><th>Column</th><th>Value</th><th>Reason</th></tr></thead>
                <tbody>
                  {tally.sample.map((e, i) => (
                    <tr key={i}>
                      <td class="num">{e.row}</td>
                      <td>{e.column ?? <span class="muted">—</span>}</td>
                      <td class="mono cell-text">{e.value ?? <span class="muted">—</span>}</td>
                      <td>{e.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {tally.quoting.length > 0 && (
            <p class="warn small">
              {plural(tally.byCode.csv_syntax ?? 0, 'row')} with broken quoting (first at row {tally.quoting[0].row}: {tally.quoting[0].reason}) will be skipped, not imported.
              {' '}Fix the quotes and import those rows again: a quote that is never closed takes the lines after it into one cell.
            </p>
          )}
        </section>
      )}

      {!props.resume && (
        <section class="card stack">
          <label class="field">
            <span>Import name</span>
            <input class="input" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={withSegment} onChange={(e) => setWithSegment(e.currentTarget.checked)} />
            <span>Create a segment of the imported users</span>
          </label>
          {withSegment && (
            <label class="field indent">
              <span>Segment name</span>
              <input class="input" required maxLength={200} value={segmentName} onInput={(e) => setSegmentName(e.currentTarget.value)} />
              <span class="muted small">A manual segment with every user this file creates or updates; it does not change afterwards.</span>
            </label>
          )}
        </section>
      )}

      <div class="flow-actions">
        <button type="button" class="btn btn-secondary" onClick={props.onBack}>Back</button>
        <span class="spacer" />
        <button type="submit" class="btn btn-primary" disabled={good === 0}>{props.resume ? 'Resume import' : `Import ${plural(good, 'row')}`}</button>
      </div>
    </form>
  )
}

function Metric({ label, value, sub, tone, testid }: { label: string; value: number; sub?: string; tone?: 'good' | 'bad'; testid: string }) {
  return (
    <div class={`card metric ${tone ?? ''}`}>
      <span class="metric-label">{label}</span>
      <span class="metric-value" data-testid={testid}>{formatNumber(value)}</span>
      {sub && <span class="metric-sub muted">{sub}</span>}
    </div>
  )
}

export function Progress({ pct, label }: { pct: number; label: string }) {
  return (
    <div class="progress-block">
      <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Progress">
        <span class="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div class="progress-label muted small"><span>{label}</span><span>{pct}%</span></div>
    </div>
  )
}
