// One event: its name, when, a one-line summary, and the full payload on demand.
import type { UserEvent } from '../../api-types'
import { RelativeTime } from '../../components/relative-time'
import { formatDateTime } from '../../format'

const title = (e: UserEvent) => (e.name === '$page' ? `Page view${typeof e.properties.name === 'string' ? `: ${e.properties.name}` : ''}` : e.name ?? e.type)

export function EventItem({ event }: { event: UserEvent }) {
  const url = typeof event.context.page === 'object' && event.context.page ? (event.context.page as { url?: string }).url : undefined
  return (
    <li class="event">
      <details>
        <summary>
          <span class="event-dot" aria-hidden="true" />
          <span class="event-name">{title(event)}</span>
          <span class="badge subtle">{event.type}</span>
          <span class="spacer" />
          <span class="muted small" title={formatDateTime(event.timestamp)}><RelativeTime ms={event.timestamp} /></span>
        </summary>
        <div class="event-payload">
          <p class="muted small">{formatDateTime(event.timestamp)}{url ? ` · ${url}` : ''}</p>
          <h4>Properties</h4>
          <pre class="code">{JSON.stringify(event.properties, null, 2)}</pre>
          <h4>Context</h4>
          <pre class="code">{JSON.stringify(event.context, null, 2)}</pre>
        </div>
      </details>
    </li>
  )
}
