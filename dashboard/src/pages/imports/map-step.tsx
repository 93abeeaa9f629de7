// Step 2: where each column goes. Suggested from the header and the first rows
// (suggestColumns), every choice editable; the preview below shows the rows as stored.
import type { Catalog } from '../../api-types'
import { Segmented, Switch } from '../../components/segmented'
import { FormError } from '../../components/states'
import { ATTRIBUTE_TYPES, TARGETS, attributeKey, detectType, typedValue } from '../../../../worker/src/imports/convert'
import { TARGET_LABEL, TYPE_LABEL, isValid, mappingProblems, type AttributeType, type Column, type Mapping, type Target } from './mapping'
import { PreviewTable } from './preview-table'
import type { LoadedFile } from './upload-step'

export function MapStep(props: { loaded: LoadedFile; mapping: Mapping; catalog: Catalog; onChange: (m: Mapping) => void; onBack: () => void; onNext: () => void }) {
  const { loaded, mapping, catalog, onChange } = props
  const problems = mappingProblems(mapping, (key) => declared(catalog, key), (key) => held(catalog, key))
  const ok = isValid(problems)
  const set = (i: number, patch: Partial<Column>) => onChange({ ...mapping, columns: mapping.columns.map((c, j) => (j === i ? { ...c, ...patch } : c)) })
  // A key Settings declares brings its type along.
  const rekey = (i: number, key: string) => set(i, { key, ...(knownType(catalog, key) ? { type: knownType(catalog, key)! } : {}) })
  const retarget = (i: number, target: Target) => {
    const c = mapping.columns[i]
    if (target !== 'attribute') return set(i, { target, key: undefined, type: undefined })
    const key = c.key ?? attributeKey(c.header) ?? ''
    set(i, { target, key, type: c.type ?? knownType(catalog, key) ?? detectType(loaded.sample.map((r) => r[i] ?? '')) })
  }

  return (
    <div class="stack">
      <section class="card">
        <div class="section-head">
          <h2 class="section-title">Columns</h2>
          <span class="muted small">{loaded.header.length} columns · first {loaded.sample.length} rows read</span>
        </div>
        <div class="table-wrap flat">
          <table class="table map-table">
            <thead>
              <tr><th class="col-header">Column in the file</th><th class="col-target">Import as</th><th>Attribute key and type</th></tr>
            </thead>
            <tbody>
              {mapping.columns.map((c, i) => (
                <ColumnRow key={i} index={i} column={c} samples={samples(loaded.sample, i)} problem={problems.columns[i]} misfits={misfits(loaded.sample, i, c)} onTarget={(t) => retarget(i, t)} onKey={(k) => rekey(i, k)} onType={(type) => set(i, { type })} />
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section class="card map-options">
        <div class="field">
          <span>Match rows to users by</span>
          <Segmented label="Match rows to users by" value={mapping.match} options={[['userId', 'User id'], ['email', 'Email']] as const} onChange={(match) => onChange({ ...mapping, match })} />
        </div>
        <Switch label="Create new users" checked={mapping.createNew} onChange={(createNew) => onChange({ ...mapping, createNew })} />
        <Switch label="Update existing users" checked={mapping.updateExisting} onChange={(updateExisting) => onChange({ ...mapping, updateExisting })} />
        <p class="muted small map-hint">
          Rows whose {mapping.match === 'email' ? 'email' : 'user id'} matches a user update that user; the others {mapping.createNew ? 'create new users' : 'are skipped'}. Blank cells never erase a value.
        </p>
      </section>

      <section class="card">
        <div class="section-head">
          <h2 class="section-title">Preview</h2>
          <span class="muted small">The first rows as they will be stored</span>
        </div>
        <PreviewTable mapping={mapping} sample={loaded.sample} rowNumbers={loaded.sampleRows} syntax={loaded.sampleSyntax} />
      </section>

      {problems.general.map((p) => <FormError key={p} error={p} />)}
      <div class="flow-actions">
        <button type="button" class="btn btn-secondary" onClick={props.onBack}>Back</button>
        <span class="spacer" />
        {!ok && <span class="muted small">Fix the mapping to continue.</span>}
        <button type="button" class="btn btn-primary" disabled={!ok} onClick={props.onNext}>Continue to review</button>
      </div>
    </div>
  )
}

function ColumnRow(props: { index: number; column: Column; samples: string[]; problem: string | null; misfits: { count: number; example: string } | null; onTarget: (t: Target) => void; onKey: (k: string) => void; onType: (t: AttributeType) => void }) {
  const { column: c, index: i } = props
  const name = c.header || `Column ${i + 1}`
  return (
    <tr class={props.problem ? 'has-problem' : undefined}>
      <td class="col-header">
        <div class="map-col-name" title={name}>{name}</div>
        <div class="col-samples muted small" title={props.samples.join(' · ')}>
          {props.samples.length ? props.samples.map((s, k) => <span key={k} class="sample">{s}</span>) : <em>no values in the first rows</em>}
        </div>
      </td>
      <td class="col-target">
        <select class="select" aria-label={`Import ${name} as`} value={c.target} onChange={(e) => props.onTarget(e.currentTarget.value as Target)}>
          {TARGETS.map((t) => <option key={t} value={t}>{TARGET_LABEL[t]}</option>)}
        </select>
      </td>
      <td>
        {c.target === 'attribute' ? (
          <div class="attr-mapping">
            <div class="attr-mapping-row">
              <input class="input mono" aria-label={`Attribute key for ${name}`} aria-invalid={props.problem ? 'true' : undefined} value={c.key ?? ''} maxLength={64} spellcheck={false} onInput={(e) => props.onKey(e.currentTarget.value.trim())} />
              <select class="select" aria-label={`Type of ${name}`} value={c.type ?? 'string'} onChange={(e) => props.onType(e.currentTarget.value as AttributeType)}>
                {ATTRIBUTE_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
              </select>
            </div>
            {props.problem && <p class="form-error">{props.problem}</p>}
            {!props.problem && props.misfits && (
              <p class="map-warning small" role="note">
                {props.misfits.count} of the first rows {props.misfits.count === 1 ? 'has a cell' : 'have cells'} that {props.misfits.count === 1 ? 'is' : 'are'} not {TYPE_LABEL[c.type ?? 'string'].toLowerCase()} (“{props.misfits.example}”): {props.misfits.count === 1 ? 'that row is' : 'those rows are'} skipped and reported.
              </p>
            )}
          </div>
        ) : (
          <span class="muted small">{HINT[c.target]}</span>
        )}
      </td>
    </tr>
  )
}

const HINT: Record<Exclude<Target, 'attribute'>, string> = {
  userId: 'The id your product knows the user by.',
  email: 'An email address; invalid ones skip the row.',
  name: 'The display name.',
  tag: 'Tag names, separated by , or ; — created if new.',
  ignore: 'Not imported.',
}

/** Up to three distinct non-blank values of column `i`. */
function samples(rows: string[][], i: number): string[] {
  const out = new Set<string>()
  for (const r of rows) {
    const v = (r[i] ?? '').trim()
    if (v) out.add(v.length > 40 ? v.slice(0, 40) + '…' : v)
    if (out.size === 3) break
  }
  return [...out]
}

/** The type Settings declares for an attribute key, if any. */
export function declared(catalog: Catalog, key: string) {
  const a = catalog.attributes.find((x) => x.key === key && x.declared)
  return a ? a.type : null
}

/** The kind every user holding `key` holds, if they agree (the server refuses text over numbers, booleans, lists). */
export function held(catalog: Catalog, key: string) {
  return catalog.attributes.find((x) => x.key === key)?.held ?? null
}

/** The type to start a column from: declared, else what users hold; the sample decides only for new keys. */
export const knownType = (catalog: Catalog, key: string) => declared(catalog, key) ?? held(catalog, key)

/** Sample cells of column `i` that its type does not take: their rows will be skipped (flagged before importing). */
function misfits(rows: string[][], i: number, c: Column): { count: number; example: string } | null {
  if (c.target !== 'attribute') return null
  let count = 0
  let example = ''
  for (const r of rows) {
    const v = (r[i] ?? '').trim()
    if (v && typedValue(c.type ?? 'string', v).error) {
      if (!count) example = v.length > 40 ? v.slice(0, 40) + '…' : v
      count++
    }
  }
  return count ? { count, example } : null
}
