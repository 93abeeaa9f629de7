// The import while it is sent, and its result: created / updated / unchanged / skipped.
import { ErrorState } from '../../components/states'
import { IconCheck, IconDownload } from '../../components/icons'
import { formatNumber, plural } from '../../format'
import { projectPath } from '../../router'
import { useApi } from '../../session'
import { formatBytes, ofTotal } from './import-format'
import { Progress } from './review-step'
import { StatusBadge } from './status-badge'
import { cancelJob, isActive, retryJob, type Job } from './upload-job'

export function ImportProgress({ job, onAnother }: { job: Job; onAnother: () => void }) {
  const api = useApi()
  const v = job.view
  const pct = job.phase === 'done' ? 100 : job.rowsTotal ? Math.min(100, Math.floor((job.rowsSent / job.rowsTotal) * 100)) : 0
  const active = isActive(job)
  const title = { creating: 'Starting the import…', sending: 'Importing…', finishing: 'Finishing…', done: 'Import complete', failed: 'The import failed', cancelled: 'Import cancelled' }[job.phase]
  return (
    <section class="card stack import-progress" aria-live="polite">
      <div class="section-head">
        <h2 class="section-title">{title}</h2>
        {v && <StatusBadge status={v.status} />}
      </div>
      <p class="muted small file-line"><span class="ellipsis" title={job.fileName}>{job.fileName}</span></p>
      <Progress pct={pct} label={`${ofTotal(job.rowsSent, job.rowsTotal)} rows · ${formatBytes(job.bytesSent)} of ${formatBytes(job.bytesTotal)} sent`} />
      {job.retry && (
        <p class="warn small" role="status">
          {job.retry.what} did not go through: {job.retry.message} Trying again (attempt {job.retry.attempt})…
        </p>
      )}
      {v && (
        <div class="cards result-cards">
          <Count label="Created" n={v.created} testid="result-created" />
          <Count label="Updated" n={v.updated} testid="result-updated" />
          <Count label="Unchanged" n={v.unchanged} testid="result-unchanged" />
          <Count label="Skipped" n={v.skipped} testid="result-skipped" />
        </div>
      )}
      {(job.phase === 'failed' || job.phase === 'cancelled') && job.error && <ErrorState error={job.error} title={job.phase === 'cancelled' ? 'Cancelled' : 'Stopped'} />}
      {job.phase === 'done' && v && (
        <p class="done-line">
          <IconCheck size={16} /> {plural(v.rowsTotal, 'row')} processed.
          {v.segment && <> Segment <a href={projectPath(job.projectId, `segments/${v.segment.id}`)}>{v.segment.name}</a> created.</>}
          {v.errorCount > 0 && <> <a href={api.importErrorsUrl(v.id)} download><IconDownload size={14} /> Download error report</a></>}
        </p>
      )}
      <div class="flow-actions">
        {active ? (
          <button type="button" class="btn btn-secondary" onClick={cancelJob} disabled={job.phase === 'finishing'}>Cancel import</button>
        ) : (
          <button type="button" class="btn btn-secondary" onClick={onAnother}>Import another file</button>
        )}
        {job.phase === 'failed' && v && <button type="button" class="btn btn-secondary" onClick={() => void retryJob()}>Try again</button>}
        <span class="spacer" />
        {active && <span class="muted small">You can leave this page: the import goes on while this tab is open.</span>}
        <a class="btn btn-primary" href={projectPath(job.projectId, 'imports')}>{active ? 'View history' : 'Go to import history'}</a>
      </div>
    </section>
  )
}

function Count({ label, n, testid }: { label: string; n: number; testid: string }) {
  return (
    <div class="card metric">
      <span class="metric-label">{label}</span>
      <span class="metric-value" data-testid={testid}>{formatNumber(n)}</span>
    </div>
  )
}
