// The profile side panel (F-30…F-37): the list stays visible on the left.
import { useEffect } from 'preact/hooks'
import { ErrorState, Loading } from '../../components/states'
import { query, setQuery } from '../../router'
import { useApi, versions } from '../../session'
import { useResource } from '../../use-resource'
import { IconX } from '../../components/icons'
import { ActivityTab, ResponsesTab } from './activity-tab'
import { EventsTab } from './events-tab'
import { ExplainTab } from './explain-tab'
import { OverviewTab } from './overview-tab'
import { ProfileHeader } from './profile-header'
import { SegmentsTab } from './segments-tab'

const TABS = [['overview', 'Overview'], ['activity', 'Activity'], ['responses', 'Responses'], ['events', 'Events'], ['explain', 'Explain'], ['segments', 'Segments']] as const
type Tab = (typeof TABS)[number][0]

export function ProfilePanel({ pk }: { pk: number }) {
  const api = useApi()
  const profile = useResource(() => api.user(pk), [api, pk, versions.users.value])
  const t = query.value.get('tab')
  const tab: Tab = TABS.some(([k]) => k === t) ? (t as Tab) : 'overview'
  const close = () => setQuery({ user: undefined, tab: undefined, explain: undefined })

  // Esc closes the panel, unless a dialog or a menu inside has it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]') && !document.querySelector('.popover-panel')) close()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])

  return (
    <aside class="panel" aria-label="User profile">
      <button type="button" class="icon-btn panel-close" aria-label="Close profile" onClick={close}><IconX /></button>
      {profile.error && !profile.data ? (
        <div class="panel-body">
          <ErrorState error={profile.error} retry={profile.reload} title={profile.error.message.startsWith('no user') ? 'This user no longer exists' : 'Could not load this user'} />
        </div>
      ) : !profile.data ? (
        <div class="panel-body"><Loading label="Loading profile…" /></div>
      ) : (
        <>
          <ProfileHeader profile={profile.data} />
          <nav class="tabs panel-tabs" aria-label="Profile sections">
            {TABS.map(([k, label]) => (
              <button key={k} type="button" class={k === tab ? 'tab active' : 'tab'} aria-current={k === tab ? 'page' : undefined} onClick={() => setQuery({ tab: k === 'overview' ? undefined : k }, { replace: true })}>
                {label}
              </button>
            ))}
          </nav>
          <div class="panel-body">
            {tab === 'overview' && <OverviewTab profile={profile.data} />}
            {tab === 'activity' && <ActivityTab pk={pk} />}
            {tab === 'responses' && <ResponsesTab pk={pk} />}
            {tab === 'events' && <EventsTab pk={pk} />}
            {tab === 'explain' && <ExplainTab pk={pk} />}
            {tab === 'segments' && <SegmentsTab pk={pk} />}
          </div>
        </>
      )}
    </aside>
  )
}
