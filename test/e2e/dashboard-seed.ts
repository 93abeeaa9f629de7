// The people the dashboard tests look at, sent through the public collector (POST /v1/batch).
import type { DashboardServer } from './dashboard-harness.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** userId, name, plan, country, seats, hours since last activity. */
export const PEOPLE = [
  ['ann', 'Ann Archer', 'pro', 'FR', 4, 0.75],
  ['ben', 'Ben Brook', 'pro', 'US', 25, 3],
  ['cleo', 'Cleo Chen', 'free', 'FR', 1, 5],
  ['dan', 'Dan Dorsey', 'enterprise', 'DE', 120, 8],
  ['eve', 'Eve Evans', 'free', 'US', 1, 12],
  ['finn', 'Finn Fischer', 'pro', 'DE', 5, 20],
  ['gina', 'Gina Gomez', 'free', 'FR', 2, 30],
  ['hugo', 'Hugo Hart', 'pro', 'FR', 8, 40],
  ['ivy', 'Ivy Ito', 'enterprise', 'US', 60, 50],
  ['jack', 'Jack Jones', 'free', 'DE', 1, 70],
  ['kim', 'Kim Kowalski', 'pro', 'US', 3, 100],
  ['leo', 'Leo Laurent', 'free', 'FR', 1, 200],
] as const

export const XSS_NAME = '<img src=x onerror=alert(1)>'
/** Identified users + anonymous visitors + the hostile name. */
export const TOTAL_USERS = PEOPLE.length + 3 + 1

const ctx = { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', locale: 'fr-FR', timezone: 'Europe/Paris', screen: { width: 1512, height: 982 } }

export async function seed(server: DashboardServer) {
  const now = Date.now()
  const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString()
  const batch: Record<string, unknown>[] = []
  for (const [id, name, plan, country, seats, hours] of PEOPLE) {
    const anon = `anon-${id}-${'x'.repeat(8)}`
    batch.push({ type: 'page', anonymousId: anon, name: 'Home', timestamp: at(hours + 48), context: { ...ctx, page: { url: 'https://app.example.com/' } } })
    batch.push({
      type: 'identify', anonymousId: anon, userId: id, timestamp: at(hours + 47),
      traits: { name, email: `${id}@example.com`, plan, country, seats, beta: seats > 5, signup: new Date(now - 40 * DAY).toISOString().slice(0, 10) },
      context: ctx,
    })
    batch.push({ type: 'track', userId: id, event: 'feature_used', properties: { feature: 'export' }, timestamp: at(hours + 2) })
    batch.push({ type: 'page', userId: id, name: 'Settings', timestamp: at(hours), context: { ...ctx, page: { url: 'https://app.example.com/settings' } } })
  }
  // Orders: Ben spends the most; Ann orders often in the last days.
  for (const [user, total, hours] of [['ben', 150, 30], ['finn', 40, 25], ['kim', 20, 110], ['ann', 30, 2], ['ann', 45, 26], ['ann', 12, 60]] as const) {
    batch.push({ type: 'track', userId: user, event: 'order_placed', properties: { total, currency: 'EUR' }, timestamp: at(hours) })
  }
  batch.push({ type: 'track', userId: 'ann', event: '$experience', properties: { id: 'onboarding-tour', name: 'Onboarding tour', action: 'seen', step: 3, steps: 5 }, timestamp: at(4) })
  batch.push({ type: 'track', userId: 'ann', event: '$experience', properties: { id: 'nps-q3', name: 'NPS Q3', action: 'answered' }, timestamp: at(3) })
  batch.push({ type: 'track', userId: 'ann', event: '$response', properties: { experience: 'nps-q3', step: 1, question: 'How likely are you to recommend us?', answer: '9' }, timestamp: at(3) })
  for (const [anon, hours] of [['hONpQ2xvZ3Rlc3Q', 6], ['zq81anonymous', 15], ['Kt7w-visitor', 90]] as const) {
    batch.push({ type: 'page', anonymousId: anon, name: 'Pricing', timestamp: at(hours), context: ctx })
  }
  batch.push({ type: 'identify', userId: 'hostile', anonymousId: 'anon-hostile', traits: { name: XSS_NAME, email: 'hostile@example.com', plan: XSS_NAME }, timestamp: at(0.5) })
  // Seen, not only identified: a profile with no activity would be "never seen" and sort last.
  batch.push({ type: 'page', userId: 'hostile', anonymousId: 'anon-hostile', name: 'Home', timestamp: at(0.5), context: ctx })
  await server.send(batch)
}
