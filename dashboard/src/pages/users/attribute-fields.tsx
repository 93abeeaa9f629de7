// Custom attributes as typed fields (F-25, F-72): a declared attribute keeps its type; a
// new one takes the type chosen here, and the value is sent as that type.
import type { AttrType, Catalog } from '../../api-types'
import { IconPlus, IconX } from '../../components/icons'
import { dateInputValue } from '../../format'

export interface AttrDraft { key: string; type: AttrType; raw: string; declared: boolean; original?: boolean; removed?: boolean }

export const TYPE_LABEL: Record<AttrType, string> = { string: 'Text', number: 'Number', boolean: 'Yes / no', date: 'Date', list: 'List' }

/** The type of a value already stored (for editing). */
export function typeOfValue(v: unknown): AttrType {
  if (typeof v === 'number') return 'number'
  if (typeof v === 'boolean') return 'boolean'
  if (Array.isArray(v)) return 'list'
  return 'string'
}

/** The text a field shows for a stored value of a type. */
export function rawOf(v: unknown, type: AttrType): string {
  if (v === null || v === undefined) return ''
  if (type === 'list' && Array.isArray(v)) return v.join(', ')
  if (type === 'date') return dateInputValue(v)
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** The typed value of a field, or the reason it is not one. */
export function valueOf(d: AttrDraft): { value: unknown } | { error: string } {
  const raw = d.raw.trim()
  switch (d.type) {
    case 'string': return { value: d.raw }
    case 'number': return raw !== '' && Number.isFinite(Number(raw)) ? { value: Number(raw) } : { error: `${d.key} must be a number` }
    case 'boolean': return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { error: `${d.key}: choose yes or no` }
    case 'date': return Number.isFinite(Date.parse(raw)) ? { value: raw } : { error: `${d.key} must be a date` }
    case 'list': return { value: raw.split(',').map((x) => x.trim()).filter(Boolean) }
  }
}

/** Every field as `{key: value}` (removed ones as null), or the first problem. */
export function collect(drafts: AttrDraft[]): { attributes: Record<string, unknown> } | { error: string } {
  const attributes: Record<string, unknown> = {}
  for (const d of drafts) {
    if (!d.key.trim()) {
      if (d.raw.trim()) return { error: 'Every attribute needs a name' }
      continue
    }
    if (d.removed) {
      attributes[d.key.trim()] = null
      continue
    }
    const v = valueOf(d)
    if ('error' in v) return v
    attributes[d.key.trim()] = v.value
  }
  return { attributes }
}

export function AttributeFields({ drafts, onChange, catalog }: { drafts: AttrDraft[]; onChange: (d: AttrDraft[]) => void; catalog: Catalog }) {
  const set = (i: number, patch: Partial<AttrDraft>) => onChange(drafts.map((d, j) => (j === i ? { ...d, ...patch } : d)))
  const known = (key: string) => catalog.attributes.find((a) => a.key === key.trim())
  return (
    <div class="attr-fields">
      {drafts.map((d, i) =>
        d.removed ? null : (
          <div class="attr-row" key={i}>
            <input
              class="input"
              placeholder="attribute (e.g. plan)"
              aria-label="Attribute name"
              list="jimer-attribute-keys"
              value={d.key}
              readOnly={d.original}
              onInput={(e) => {
                const k = known(e.currentTarget.value)
                set(i, { key: e.currentTarget.value, ...(k ? { type: k.type, declared: k.declared } : { declared: false }) })
              }}
            />
            <select class="select" aria-label={`Type of ${d.key || 'attribute'}`} value={d.type} disabled={d.declared} title={d.declared ? 'Declared type (Settings › Custom attributes)' : undefined} onChange={(e) => set(i, { type: e.currentTarget.value as AttrType, raw: '' })}>
              {(Object.keys(TYPE_LABEL) as AttrType[]).map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
            </select>
            <ValueField draft={d} onChange={(raw) => set(i, { raw })} />
            <button type="button" class="icon-btn" aria-label={`Remove ${d.key || 'attribute'}`} onClick={() => (d.original ? set(i, { removed: true }) : onChange(drafts.filter((_, j) => j !== i)))}>
              <IconX size={14} />
            </button>
          </div>
        ),
      )}
      <button type="button" class="btn btn-ghost btn-sm" onClick={() => onChange([...drafts, { key: '', type: 'string', raw: '', declared: false }])}>
        <IconPlus size={14} /> Add attribute
      </button>
      <datalist id="jimer-attribute-keys">{catalog.attributes.map((a) => <option key={a.key} value={a.key}>{TYPE_LABEL[a.type]}</option>)}</datalist>
    </div>
  )
}

function ValueField({ draft, onChange }: { draft: AttrDraft; onChange: (raw: string) => void }) {
  const label = `Value of ${draft.key || 'attribute'}`
  switch (draft.type) {
    case 'boolean':
      return (
        <select class="select" aria-label={label} value={draft.raw} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="" disabled>Choose…</option>
          <option value="true">Yes (true)</option>
          <option value="false">No (false)</option>
        </select>
      )
    case 'number':
      return <input class="input" type="number" step="any" aria-label={label} value={draft.raw} onInput={(e) => onChange(e.currentTarget.value)} />
    case 'date':
      return <input class="input" type="date" aria-label={label} value={draft.raw} onInput={(e) => onChange(e.currentTarget.value)} />
    case 'list':
      return <input class="input" placeholder="a, b, c" aria-label={label} value={draft.raw} onInput={(e) => onChange(e.currentTarget.value)} />
    default:
      return <input class="input" aria-label={label} value={draft.raw} onInput={(e) => onChange(e.currentTarget.value)} />
  }
}
