// "Export JSON" (F-37): everything the server holds about one user, in one file. The server
// streams it (events page by page), so a profile with any number of events comes whole.
import type { ProjectApi } from '../../api'
import type { Profile } from '../../api-types'

export function exportProfile(api: ProjectApi, profile: Profile): void {
  const a = document.createElement('a')
  a.href = api.userExportUrl(profile.id)
  // The file is named by the server (user-<id>.json): Content-Disposition outranks a name here.
  a.download = ''
  document.body.append(a)
  a.click()
  a.remove()
}
