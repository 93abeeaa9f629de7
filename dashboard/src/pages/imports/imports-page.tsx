// The Imports tab (F-63): every import with its status and row counts, newest first. While
// one is running and the tab is visible, the list refreshes so its counts move.
import { useEffect } from 'preact/hooks'
import { IconUpload } from '../../components/icons'
import { Empty, ErrorState, Loading } from '../../components/states'
import { projectPath } from '../../router'
import { canEdit, project, useApi } from '../../session'
import { useResource } from '../../use-resource'
import { HubHeader } from '../hub-header'
import { HistoryTable, isStalled } from './history-table'
import { job } from './upload-job'

/** How often a running import's counts are fetched again. */
export const REFRESH_MS = 1500

export function ImportsPage() {
  const api = useApi()
  const pid = project.value!.id
  // The job in this tab moves its import's counts with every chunk: reload then too.
  const list = useResource(() => api.imports(), [api, job.value?.view?.updatedAt, job.value?.phase])
  // An upload whose tab was closed stays "running" on the server: it is not polled for ever.
  const running = list.data?.imports.some((i) => (i.status === 'running' || i.status === 'draft') && !isStalled(i))
  useEffect(() => {
    if (!running) return
    const t = setInterval(() => document.visibilityState === 'visible' && list.reload(), REFRESH_MS)
    return () => clearInterval(t)
  }, [running, list.reload])

  return (
    <>
      <HubHeader active="imports" />
      <div class="page-pad">
        {list.error && !list.data ? (
          <ErrorState error={list.error} retry={list.reload} title="Could not load imports" />
        ) : !list.data ? (
          <Loading label="Loading imports…" />
        ) : list.data.imports.length === 0 ? (
          <Empty title="No imports yet" icon={<IconUpload size={28} />}>
            <p>Bring users in from a spreadsheet or another tool: upload a CSV file, map its columns to user id, email, name, custom attributes or tags, review, and import. Every run is listed here with its row counts and an error report.</p>
            {canEdit.value && <a class="btn btn-primary" href={projectPath(pid, 'imports/new')}><IconUpload size={15} /> Import users from CSV</a>}
          </Empty>
        ) : (
          <HistoryTable imports={list.data.imports} />
        )}
      </div>
    </>
  )
}
