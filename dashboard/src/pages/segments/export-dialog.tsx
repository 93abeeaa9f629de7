// "Export" on a segment (F-55): pick a format and columns, then download. The file is a link
// to the server's streamed export (the session cookie rides along), so any size works.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ATTRIBUTE_PREFIX, DEFAULT_NATIVE, NATIVE_COLUMNS, type ExportFormat, type NativeColumn } from '../../../../worker/src/exports/column-names'
import type { Segment } from '../../api-types'
import { Dialog } from '../../components/dialog'
import { IconDownload } from '../../components/icons'
import { Segmented } from '../../components/segmented'
import { Loading } from '../../components/states'
import { toast } from '../../components/toast'
import { formatNumber } from '../../format'
import { useApi } from '../../session'
import { useCatalog } from '../../use-catalog'

const LABELS = {
  id: 'Internal id', userId: 'User id', anonymousId: 'Jimer ID', email: 'Email', name: 'Name', status: 'Status',
  createdAt: 'Created', firstSeen: 'First seen', lastSeen: 'Last seen', sessions: 'Sessions', eventsCount: 'Events',
  experiencesSeen: 'Experiences seen', enteredAt: 'Entered segment',
} satisfies Record<NativeColumn, string>

const FORMATS = [['csv', 'CSV'], ['parquet', 'Parquet']] as const
const HINTS: Record<ExportFormat, string> = {
  csv: 'Opens in any spreadsheet. Times are ISO 8601, lists JSON text.',
  parquet: 'Typed columns for data tools (DuckDB, pandas, BigQuery): numbers, booleans and timestamps stay typed.',
}

export function ExportDialog({ segment, onClose }: { segment: Segment; onClose: () => void }) {
  const api = useApi()
  const catalog = useCatalog()
  const [format, setFormat] = useState<ExportFormat>('csv')
  // null: nothing touched yet, so the server's defaults (as soon as the catalog says which attributes are declared).
  const [picked, setPicked] = useState<Set<string> | null>(null)
  const attributes = catalog.data?.attributes ?? []
  const defaults = new Set<string>([...DEFAULT_NATIVE, ...attributes.filter((a) => a.declared).map((a) => ATTRIBUTE_PREFIX + a.key)])
  const chosen = picked ?? defaults
  const all = [...NATIVE_COLUMNS, ...attributes.map((a) => ATTRIBUTE_PREFIX + a.key)]
  const columns = all.filter((c) => chosen.has(c))
  const toggle = (c: string, on: boolean) => {
    const next = new Set(chosen)
    if (on) next.add(c)
    else next.delete(c)
    setPicked(next)
  }
  const check = (c: string, label: ComponentChildren) => (
    <label key={c} class="check">
      <input type="checkbox" checked={chosen.has(c)} onChange={(e) => toggle(c, e.currentTarget.checked)} />
      {label}
    </label>
  )

  const footer = (
    <>
      <span class="muted small export-count">{formatNumber(segment.memberCount)} members · {columns.length} columns</span>
      <button type="button" class="btn btn-secondary" onClick={onClose}>Cancel</button>
      {columns.length ? (
        <a
          class="btn btn-primary"
          href={api.segmentExportUrl(segment.id, format, columns)}
          download
          onClick={() => {
            toast(`Downloading “${segment.name}” as ${format === 'csv' ? 'CSV' : 'Parquet'}`)
            onClose()
          }}
        >
          <IconDownload size={14} /> Download
        </a>
      ) : (
        <button type="button" class="btn btn-primary" disabled><IconDownload size={14} /> Download</button>
      )}
    </>
  )

  return (
    <Dialog title={`Export “${segment.name}”`} onClose={onClose} footer={footer} wide>
      <div class="form">
        <div class="field">
          <span>Format</span>
          <Segmented label="Format" value={format} options={FORMATS} onChange={setFormat} />
          <span class="muted small export-hint">{HINTS[format]}</span>
        </div>
        <fieldset class="fieldset">
          <legend>Columns</legend>
          <div class="export-tools">
            <button type="button" class="btn-link" onClick={() => setPicked(new Set(all))}>Select all</button>
            <button type="button" class="btn-link" onClick={() => setPicked(new Set())}>Clear</button>
            <button type="button" class="btn-link" onClick={() => setPicked(null)}>Defaults</button>
          </div>
          <h3 class="export-group">Profile</h3>
          <div class="check-grid">{NATIVE_COLUMNS.map((c) => check(c, LABELS[c]))}</div>
          <h3 class="export-group">Custom attributes</h3>
          {catalog.error && !catalog.data ? (
            <p class="muted small">Could not load the attributes: {catalog.error.message}</p>
          ) : !catalog.data ? (
            <Loading inline label="Loading attributes…" />
          ) : attributes.length === 0 ? (
            <p class="muted small">No custom attributes yet.</p>
          ) : (
            <div class="check-grid">
              {attributes.map((a) => check(ATTRIBUTE_PREFIX + a.key, <>
                <span class="mono check-key" title={a.key}>{a.key}</span>
                <span class={a.declared ? 'badge' : 'badge subtle'} title={a.declared ? 'Declared type' : 'Not declared: Parquet writes it as text'}>{a.type}</span>
              </>))}
            </div>
          )}
        </fieldset>
      </div>
    </Dialog>
  )
}
