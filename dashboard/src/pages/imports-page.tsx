// The Imports tab (F-60…F-64) arrives with the imports feature; until then it says so
// plainly and offers nothing that would not work.
import { Empty } from '../components/states'
import { IconUpload } from '../components/icons'
import { HubHeader } from './hub-header'

export function ImportsPage() {
  return (
    <>
      <HubHeader active="imports" />
      <div class="page-pad">
        <Empty title="No imports yet" icon={<IconUpload size={28} />}>
          <p>
            CSV imports arrive with the imports feature: upload a file, map its columns to user id, email, name, custom
            attributes or tags, review, and import, with a history of every run and its row counts here.
          </p>
          <p class="muted">Until then, users arrive through the snippet, the server API (<code>/v1/identify</code>, <code>/v1/batch</code>) or the “+ New user” button on the Users tab.</p>
        </Empty>
      </div>
    </>
  )
}
