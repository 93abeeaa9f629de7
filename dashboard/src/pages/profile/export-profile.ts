// "Export JSON" (F-37): everything the admin API holds about one user, in one file.
import type { ProjectApi } from '../../api'
import type { Profile, UserEvent } from '../../api-types'

/** Events are read in pages of 500; a profile with more than this many is cut, and says so. */
const MAX_EVENTS = 50_000

export async function exportProfile(api: ProjectApi, profile: Profile): Promise<void> {
  const events: UserEvent[] = []
  let before: string | undefined
  do {
    const page = await api.events(profile.id, { limit: 500, before })
    events.push(...page.events)
    before = page.next ?? undefined
  } while (before && events.length < MAX_EVENTS)
  const { segments } = await api.memberships(profile.id)
  const { tags, devices, attributes, ...rest } = profile
  const data = {
    exportedAt: new Date().toISOString(),
    profile: rest,
    attributes,
    devices,
    tags,
    memberships: segments,
    // Interactions and responses travel as $experience / $response events (F-03).
    interactions: events.filter((e) => e.name === '$experience').map((e) => ({ ...e.properties, timestamp: e.timestamp })),
    responses: events.filter((e) => e.name === '$response').map((e) => ({ ...e.properties, timestamp: e.timestamp })),
    events,
    truncated: before ? `only the newest ${events.length} events are included` : undefined,
  }
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = `jimer-user-${(profile.userId ?? profile.anonymousId ?? String(profile.id)).replace(/[^\w.-]+/g, '_').slice(0, 80)}.json`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
}
