// One row per import: name, status, row counts, the error report, the segment it made, when.
import type { ImportView } from '../../api-types'
import { IconDownload } from '../../components/icons'
import { RelativeTime } from '../../components/relative-time'
import { formatNumber } from '../../format'
import { projectPath } from '../../router'
import { canEdit, project, useApi } from '../../session'
import { StatusBadge } from './status-badge'

/** Rows arrive every few seconds while a tab sends them; this long without any, the sending stopped. */
export const STALLED_MS = 5 * 60_000
export const isStalled = (i: ImportView, now = Date.now()) => (i.status === 'running' || i.status === 'draft') && now - i.updatedAt > STALLED_MS

export function HistoryTable({ imports }: { imports: ImportView[] }) {
  const api = useApi()
  const pid = project.value!.id
  const n = (v: number) => <td class="num">{formatNumber(v)}</td>
  return (
    <div class="table-wrap">
      <table class="table imports-table">
        <thead>
          <tr>
            <th class="col-name">Name</th><th>Status</th>
            <th class="num">Created</th><th class="num">Updated</th><th class="num">Unchanged</th><th class="num">Skipped</th>
            <th>Errors</th><th>Segment</th><th>Date</th>
          </tr>
        </thead>
        <tbody>
          {imports.map((i) => (
            <tr key={i.id} data-import={i.id}>
              <td class="col-name">
                <div class="import-name ellipsis" title={i.name}>{i.name}</div>
                <div class="muted small">
                  {formatNumber(i.rowsTotal)} {i.rowsTotal === 1 ? 'row' : 'rows'} · matched by {i.match === 'email' ? 'email' : 'user id'}
                </div>
                {i.failure && <div class="import-failure small" title={i.failure}>{i.failure}</div>}
                {isStalled(i) && <div class="import-failure small">Nothing received since <RelativeTime ms={i.updatedAt} />: the tab sending it was closed or lost its connection.</div>}
                {canEdit.value && (i.status === 'failed' || isStalled(i)) && (
                  <a class="small resume-link" href={projectPath(pid, `imports/new?resume=${i.id}`)}>Resume with the same file</a>
                )}
              </td>
              <td><StatusBadge status={i.status} /></td>
              {n(i.created)}
              {n(i.updated)}
              {n(i.unchanged)}
              {n(i.skipped)}
              <td class="col-errors">
                {i.errorCount > 0 ? (
                  <a class="error-report" href={api.importErrorsUrl(i.id)} download>
                    <IconDownload size={14} /> {formatNumber(i.errorCount)} · Download error report
                  </a>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
              <td class="col-segment">
                {i.segment ? <a class="ellipsis" href={projectPath(pid, `segments/${i.segment.id}`)} title={i.segment.name}>{i.segment.name}</a> : <span class="muted">—</span>}
              </td>
              <td class="col-date"><RelativeTime ms={i.createdAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
