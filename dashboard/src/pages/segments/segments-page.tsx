// The Segments tab (F-50, F-51): every saved segment with its members, when it was last
// computed and which segments use it; edit, duplicate, export, delete (refused while in use).
import { useState } from 'preact/hooks'
import type { Segment } from '../../api-types'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { IconLayers, IconMore } from '../../components/icons'
import { MenuItem, Popover } from '../../components/popover'
import { RelativeTime } from '../../components/relative-time'
import { Empty, ErrorState, Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { formatNumber } from '../../format'
import { navigate, projectPath } from '../../router'
import { bump, canEdit, project, useApi, versions } from '../../session'
import { useResource } from '../../use-resource'
import { HubHeader } from '../hub-header'
import { ExportDialog } from './export-dialog'

export function SegmentsPage() {
  const api = useApi()
  const pid = project.value!.id
  const list = useResource(() => api.segments(), [api, versions.segments.value])
  const [deleting, setDeleting] = useState<Segment | null>(null)
  const [exporting, setExporting] = useState<Segment | null>(null)
  const duplicate = async (s: Segment) => {
    try {
      const copy = await api.duplicateSegment(s.id)
      bump('segments')
      toast(`Duplicated as “${copy.name}”`)
    } catch (e) {
      toast((e as Error).message, 'error')
    }
  }

  return (
    <>
      <HubHeader active="segments" />
      <div class="page-pad">
        <div class="segments-tools">
          <a class="btn btn-secondary btn-sm" href={projectPath(pid, 'segments/simulate')}>Simulator: try a made-up profile</a>
        </div>
        {list.error && !list.data ? (
          <ErrorState error={list.error} retry={list.reload} title="Could not load segments" />
        ) : !list.data ? (
          <Loading label="Loading segments…" />
        ) : list.data.segments.length === 0 ? (
          <Empty title="No segments yet" icon={<IconLayers size={28} />}>
            <p>A segment is a saved audience: users enter when they match its conditions and leave when they don't. Start with 3 to 5: new users, paying users, inactive users…</p>
            {canEdit.value && <a class="btn btn-primary" href={projectPath(pid, 'segments/new')}>+ New Segment</a>}
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="table segments-table">
              <thead>
                <tr><th>Name</th><th class="num">Members</th><th>Last computed</th><th>Used by</th><th><span class="sr-only">Actions</span></th></tr>
              </thead>
              <tbody>
                {list.data.segments.map((s) => (
                  <tr key={s.id} class="clickable" onClick={() => navigate(projectPath(pid, `segments/${s.id}`))}>
                    <td>
                      <div class="seg-cell">
                        <a class="seg-link" href={projectPath(pid, `segments/${s.id}`)} onClick={(e) => e.stopPropagation()}>{s.name}</a>
                        <span class={`badge ${s.kind === 'static' ? 'static' : 'dynamic'}`}>{s.kind === 'static' ? 'Manual' : 'Dynamic'}</span>
                        {s.targetable && <span class="badge target" title="Targetable: returned to the snippet by this key">key: {s.key}</span>}
                      </div>
                      {s.description && <div class="muted small seg-desc">{s.description}</div>}
                    </td>
                    <td class="num">{formatNumber(s.memberCount)}</td>
                    <td><RelativeTime ms={s.computedAt} /></td>
                    <td>{s.usedBy.length ? s.usedBy.map((u) => u.name).join(', ') : <span class="muted">—</span>}</td>
                    <td class="col-actions" onClick={(e) => e.stopPropagation()}>
                      <Popover label={<IconMore />} ariaLabel={`Actions for ${s.name}`} buttonClass="icon-btn" align="right">
                        {(close) => (
                          <div class="menu" role="menu">
                            <MenuItem onSelect={() => navigate(projectPath(pid, `segments/${s.id}`))}>{canEdit.value ? 'Edit' : 'Open'}</MenuItem>
                            {canEdit.value && <MenuItem onSelect={() => { close(); void duplicate(s) }}>Duplicate</MenuItem>}
                            <MenuItem onSelect={() => { close(); setExporting(s) }}>Export…</MenuItem>
                            {canEdit.value && <MenuItem danger onSelect={() => { close(); setDeleting(s) }}>Delete</MenuItem>}
                          </div>
                        )}
                      </Popover>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {deleting && <DeleteSegment segment={deleting} onClose={() => setDeleting(null)} />}
      {exporting && <ExportDialog segment={exporting} onClose={() => setExporting(null)} />}
    </>
  )
}

/** Delete, with the server's refusal ("used by …") shown in the dialog. */
export function DeleteSegment({ segment, onClose, onDeleted }: { segment: Segment; onClose: () => void; onDeleted?: () => void }) {
  const api = useApi()
  return (
    <ConfirmDialog
      title={`Delete “${segment.name}”?`}
      confirmLabel="Delete segment"
      danger
      onClose={onClose}
      onConfirm={async () => {
        await api.deleteSegment(segment.id)
        bump('segments')
        toast(`“${segment.name}” deleted`)
        onDeleted?.()
      }}
    >
      <p>Its {segment.memberCount} members stay; only the segment goes. Experiences targeting its key stop matching anyone.</p>
      {segment.usedBy.length > 0 && <p class="warn">It is used by {segment.usedBy.map((u) => `“${u.name}”`).join(', ')}: remove it from there first.</p>}
    </ConfirmDialog>
  )
}
