import type { ImportView } from '../../api-types'

const LABEL: Record<ImportView['status'], string> = { draft: 'Draft', running: 'Running', done: 'Done', failed: 'Failed' }

/** Draft / Running / Done / Failed (F-63). */
export function StatusBadge({ status }: { status: ImportView['status'] }) {
  return <span class={`badge import-${status}`}>{status === 'running' && <span class="spinner small" aria-hidden="true" />}{LABEL[status]}</span>
}
