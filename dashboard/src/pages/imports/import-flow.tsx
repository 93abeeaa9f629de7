// "Import users from CSV" (F-60, F-62): upload → map columns → review and import, then the
// progress and the result. The file stays in the browser until it is sent, chunk by chunk.
// With ?resume=<id>, the same file finishes an import that stopped.
import { useEffect, useState } from 'preact/hooks'
import type { Catalog, ImportView } from '../../api-types'
import { IconChevronLeft } from '../../components/icons'
import { ErrorState, Loading } from '../../components/states'
import { plural } from '../../format'
import { projectPath, query } from '../../router'
import { bump, canEdit, project, useApi } from '../../session'
import { EMPTY_CATALOG, useCatalog } from '../../use-catalog'
import { useResource } from '../../use-resource'
import { suggestColumns } from '../../../../worker/src/imports/convert'
import { DELIMITER_LABEL, formatBytes } from './import-format'
import { ImportProgress } from './import-progress'
import { MapStep, knownType } from './map-step'
import type { Mapping } from './mapping'
import { ReviewStep } from './review-step'
import { clearJob, isActive, job, startImport } from './upload-job'
import { UploadStep, type LoadedFile } from './upload-step'

type Step = 'upload' | 'map' | 'review'
const STEPS: [Step, string][] = [['upload', 'Upload'], ['map', 'Map columns'], ['review', 'Review and import']]

export function ImportFlowPage() {
  const api = useApi()
  const pid = project.value!.id
  const resumeId = Number(query.value.get('resume')) || null
  const catalog = useCatalog()
  const resume = useResource(() => (resumeId ? api.import(resumeId) : Promise.resolve(null)), [api, resumeId])
  const [step, setStep] = useState<Step>('upload')
  const [loaded, setLoaded] = useState<LoadedFile | null>(null)
  const [mapping, setMapping] = useState<Mapping | null>(null)
  // A finished import from an earlier visit is not shown again; a running one is.
  useEffect(() => clearJob(), [])
  const running = job.value?.projectId === pid ? job.value : null

  const restart = () => {
    clearJob()
    setLoaded(null)
    setMapping(null)
    setStep('upload')
  }
  useEffect(() => restart(), [resumeId])
  const done = running?.phase === 'done'
  useEffect(() => {
    if (done) bump('users', 'segments', 'catalog', 'tags')
  }, [done])
  const resumed = resume.data ?? undefined

  let body
  if (!canEdit.value) body = <p class="warn">Importing users needs the editor role in this project.</p>
  else if (running) body = <ImportProgress job={running} onAnother={restart} />
  // One upload at a time per tab: they share the connection.
  else if (isActive(job.value)) body = <p class="warn">“{job.value!.fileName}” is still being imported into another project. Start this import once it is done.</p>
  else if (resume.error) body = <ErrorState error={resume.error} retry={resume.reload} title="Could not load the import to resume" />
  else if (resumed?.status === 'done') body = <ErrorState error={`“${resumed.name}” is done: there is nothing left to send.`} title="Nothing to resume" />
  else if (step === 'upload' || !loaded || !mapping) {
    body = (catalog.data || catalog.error) && resume.data !== undefined ? (
      <>
        {resumed && <ResumeNote imp={resumed} />}
        <UploadStep
          check={resumed && ((f) => sameColumns(f, resumed))}
          onLoaded={(f) => {
            setLoaded(f)
            setMapping(resumed ? { columns: resumed.columns, match: resumed.match, createNew: resumed.createNew, updateExisting: resumed.updateExisting } : firstMapping(f, catalog.data ?? EMPTY_CATALOG))
            setStep(resumed ? 'review' : 'map')
          }}
        />
      </>
    ) : (
      <Loading />
    )
  } else if (step === 'map') {
    body = <MapStep loaded={loaded} mapping={mapping} catalog={catalog.data ?? EMPTY_CATALOG} onChange={setMapping} onBack={() => setStep('upload')} onNext={() => setStep('review')} />
  } else {
    body = (
      <ReviewStep
        loaded={loaded}
        mapping={mapping}
        resume={resumed}
        onBack={() => setStep(resumed ? 'upload' : 'map')}
        onImport={(c) => void startImport(api, pid, loaded.file, mapping, { ...c, resume: resumed })}
      />
    )
  }

  const current = running ? 3 : STEPS.findIndex(([s]) => s === step)
  return (
    <div class="page-pad import-flow">
      <a class="back-link" href={projectPath(pid, 'imports')}><IconChevronLeft size={14} /> Imports</a>
      <header class="editor-head">
        <h1>{resumed ? 'Resume an import' : 'Import users from CSV'}</h1>
      </header>
      <ol class="stepper" aria-label="Import steps">
        {STEPS.map(([s, label], i) => (
          <li key={s} class={i < current ? 'done' : i === current ? 'current' : ''} aria-current={i === current ? 'step' : undefined}>
            <span class="step-num">{i + 1}</span>
            {label}
          </li>
        ))}
      </ol>
      {loaded && !running && step !== 'upload' && (
        <p class="file-chip">
          <span class="ellipsis" title={loaded.file.name}>{loaded.file.name}</span>
          <span class="muted">{formatBytes(loaded.file.size)} · {DELIMITER_LABEL[loaded.delimiter] ?? 'comma'} separated</span>
          <button type="button" class="btn-link small" onClick={restart}>Choose another file</button>
        </p>
      )}
      {body}
    </div>
  )
}

function ResumeNote({ imp }: { imp: ImportView }) {
  const chunks = imp.committedChunks?.length ?? 0
  return (
    <p class="warn resume-note">
      Resuming “{imp.name}”{imp.failure ? ` (stopped: ${imp.failure})` : ''}. Choose the same file: it is sent again from the start, and the
      {' '}{plural(chunks, 'chunk')} already imported ({plural(imp.rowsTotal, 'row')}) are checked against it, not imported twice.
    </p>
  )
}

/** A resumed import is sent with its own mapping, so the file must have the same columns. */
function sameColumns(f: LoadedFile, imp: ImportView): string | null {
  const want = imp.columns.map((c) => c.header)
  return want.length === f.header.length && want.every((h, i) => h === f.header[i])
    ? null
    : `its columns are not those of “${imp.name}” (${want.join(', ')}): choose the file that import was made from.`
}

/** The suggested mapping, types from declarations and what users hold first, matching on user id when there is one. */
function firstMapping(f: LoadedFile, catalog: Catalog): Mapping {
  const columns = suggestColumns(f.header, f.sample, (key) => knownType(catalog, key))
  const match = columns.some((c) => c.target === 'userId') || !columns.some((c) => c.target === 'email') ? 'userId' : 'email'
  return { columns, match, createNew: true, updateExisting: true }
}
