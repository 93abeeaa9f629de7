// Hostile data for the XSS sweep: every field a site, a server SDK, a CSV file or a dashboard
// user controls, filled with markup, script URLs and template syntax. Each field gets its
// own value (a payload and the field's label) so the sweep can say which field it saw.
import type { Page } from 'playwright-core'
import type { DashboardServer } from './dashboard-harness.js'

/** The payloads. `window.__xss(n)` records a call: any call is a script that ran. */
export const PAYLOADS = {
  img: '<img src=x onerror=window.__xss(1)>',
  script: '<script>window.__xss(2)</script>',
  svg: '"><svg onload=window.__xss(3)>',
  js: 'javascript:window.__xss(4)',
  template: "{{constructor.constructor('window.__xss(5)')()}}",
  title: '</title><script>window.__xss(6)</script>',
  dollar: '${window.__xss(7)}',
  // RIGHT-TO-LEFT OVERRIDE, never closed: "gnp.exe" reads "exe.png", and so would the text after it.
  rtl: 'rtl \u202egnp.exe',
  long: 'long ' + 'lorem ipsum '.repeat(400) + '<img src=x onerror=window.__xss(8)>',
} as const

/** A field's hostile value: the payload, then a marker naming the field (ids stay short). */
const v = (payload: keyof typeof PAYLOADS, field: string) => `${PAYLOADS[payload]} ·${field}`

/** Every seeded field and its value; the sweep checks each is shown as text somewhere. */
export const FIELDS: Record<string, string> = {
  userId: v('img', 'uid'),
  anonymousId: v('title', 'jid'),
  name: v('script', 'name'),
  email: v('svg', 'email') + '@example.com',
  traitKey: v('template', 'trait-key'),
  traitValue: v('dollar', 'trait-value'),
  traitLong: v('long', 'trait-long'),
  traitList: v('rtl', 'trait-list'),
  anonymousVisitor: v('dollar', 'anon'),
  secondUserId: v('rtl', 'uid2'),
  eventName: v('script', 'event'),
  propertyKey: v('img', 'prop-key'),
  propertyValue: v('svg', 'prop-value'),
  pageName: v('title', 'page-name'),
  pageUrl: 'javascript:window.__xss(4)//page-url',
  propertyUrl: 'data:text/html,<script>window.__xss(9)</script>//prop-url',
  dataPageUrl: 'data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3MoOSk8L3NjcmlwdD4=//data-url',
  referrer: 'javascript:window.__xss(4)//referrer',
  userAgent: v('img', 'ua') + ' Mozilla/5.0 (X11; Linux x86_64)',
  experienceId: v('dollar', 'exp-id'),
  experienceName: v('title', 'exp-name'),
  question: v('template', 'question'),
  answer: v('img', 'answer'),
  answerChoice: v('svg', 'choice'),
  tag: v('svg', 'tag'),
  segmentName: v('img', 'segment'),
  // A description holds at most 2,000 characters.
  segmentDescription: 'lorem ipsum '.repeat(150) + v('img', 'segment-desc'),
  staticSegment: v('title', 'static-seg'),
  conditionValue: v('js', 'cond-value'),
  attributeDefinition: v('title', 'attr-def'),
  projectName: v('template', 'project'),
  // Teams (issue 15): a member's email (an account made outside the invitation form's checks), a token's name.
  memberEmail: v('img', 'member') + '@example.com',
  tokenName: v('script', 'token'),
  importName: v('script', 'import') + '.csv',
  importFailure: v('svg', 'import-failure'),
  importSegment: v('dollar', 'import-seg'),
  csvHeader: v('img', 'csv-header'),
  csvCell: v('title', 'csv-cell'),
  csvBadNumber: v('script', 'csv-bad'),
  // Webhooks: a description, a URL path (stored as typed; port 9 on loopback refuses at once, so nothing leaves the machine), a followed segment.
  webhookDescription: v('img', 'webhook-desc'),
  webhookUrl: `http://127.0.0.1:9/${PAYLOADS.svg}·webhook-url`,
  webhookSegment: v('template', 'webhook-seg'),
}

const F = FIELDS
const AGO = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

/** The collector's part: profiles, devices, events, experiences and survey answers. */
export async function seedCollector(server: DashboardServer) {
  const context = {
    userAgent: F.userAgent,
    locale: 'fr-FR',
    page: { url: F.pageUrl, referrer: F.referrer, title: PAYLOADS.title },
    screen: { width: 1440, height: 900 },
  }
  await server.send([
    { type: 'page', anonymousId: F.anonymousId, name: F.pageName, properties: { url: F.propertyUrl, referrer: F.referrer }, context, timestamp: AGO(60) },
    {
      type: 'identify', anonymousId: F.anonymousId, userId: F.userId, context, timestamp: AGO(59),
      traits: { name: F.name, email: F.email, [F.traitKey]: F.traitValue, story: F.traitLong, aliases: [F.traitList, PAYLOADS.js], plan: F.conditionValue },
    },
    { type: 'page', userId: F.userId, context: { ...context, page: { url: F.dataPageUrl, referrer: PAYLOADS.svg } }, timestamp: AGO(40) },
    { type: 'track', userId: F.userId, event: F.eventName, properties: { [F.propertyKey]: F.propertyValue, url: F.pageUrl, total: 5 }, context, timestamp: AGO(30) },
    { type: 'track', userId: F.userId, event: '$experience', properties: { id: F.experienceId, name: F.experienceName, action: 'answered', step: 1, steps: 2 }, timestamp: AGO(20) },
    { type: 'track', userId: F.userId, event: '$response', properties: { experience: F.experienceId, step: 1, question: F.question, answer: F.answer }, timestamp: AGO(19) },
    { type: 'track', userId: F.userId, event: '$response', properties: { experience: F.experienceId, step: 2, question: F.question, answer: [F.answerChoice, PAYLOADS.js] }, timestamp: AGO(18) },
    { type: 'page', anonymousId: F.anonymousVisitor, name: F.pageName, context, timestamp: AGO(10) },
    { type: 'identify', userId: F.secondUserId, traits: { name: PAYLOADS.rtl, plan: PAYLOADS.js }, timestamp: AGO(5) },
  ])
}

/** Admin calls from the signed-in page, as the dashboard makes them (session cookie, JSON). */
export function adminApi(page: Page, projectId: string) {
  return async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await page.evaluate(async ([m, url, b]) => {
      const r = await fetch(url, { method: m, headers: { 'content-type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) })
      return { status: r.status, body: r.status === 204 ? null : await r.json() }
    }, [method, `/api/projects/${projectId}${path}`, body] as const)
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body as T
  }
}

/** The dashboard's part: tags, segments (with hostile conditions), definitions, the project, a failed import. */
export async function seedAdmin(page: Page, server: DashboardServer) {
  const api = adminApi(page, server.projectId)
  const [{ id: pk }] = await server.rows('SELECT id FROM users WHERE user_id = ?', [F.userId])
  await api('PATCH', '/settings', { name: F.projectName })
  await api('POST', '/attributes', { key: F.attributeDefinition, type: 'string' })
  await api('POST', `/users/${pk}/tags`, { name: F.tag })
  const tree = (conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic: 'and', conditions } })
  const inner = await api<{ id: number }>('POST', '/segments', {
    name: F.segmentName,
    description: F.segmentDescription,
    conditions: tree([
      { type: 'attribute', key: F.traitKey, operator: 'is', value: F.traitValue },
      { type: 'event', event: F.eventName, measure: 'count', operator: 'gte', value: 1, where: [{ property: F.propertyKey, operator: 'contains', value: PAYLOADS.svg }] },
      { type: 'experience', experience: F.experienceId, action: 'answered', answer: F.answer },
      { type: 'attribute', key: 'plan', operator: 'is_one_of', value: [F.conditionValue, PAYLOADS.script] },
    ]),
  })
  await api('POST', '/segments', { name: v('template', 'outer-seg'), description: PAYLOADS.title, conditions: tree([{ type: 'segment', operator: 'in', segmentId: inner.id }]) })
  const manual = await api<{ id: number }>('POST', '/segments', { name: F.staticSegment, kind: 'static' })
  await api('POST', `/segments/${manual.id}/members`, { ids: [pk] })
  const imp = await api<{ id: number }>('POST', '/imports', {
    name: F.importName, match: 'userId', segmentName: F.importSegment,
    columns: [{ header: F.csvHeader, target: 'userId' }, { header: PAYLOADS.svg, target: 'attribute', key: 'notes', type: 'string' }],
  })
  await api('POST', `/imports/${imp.id}/fail`, { reason: F.importFailure })
  return { pk: Number(pk), segmentId: inner.id }
}

/** A CSV file for the import flow: hostile headers, cells, and a number column with a hostile cell. */
export const HOSTILE_CSV = [
  ['user_id', 'email', csvCell(F.csvHeader), 'seats', csvCell(PAYLOADS.svg)].join(','),
  ['csv-1', 'csv1@example.com', csvCell(F.csvCell), '3', csvCell(PAYLOADS.template)].join(','),
  ['csv-2', 'csv2@example.com', csvCell(PAYLOADS.js), csvCell(F.csvBadNumber), csvCell(PAYLOADS.long)].join(','),
].join('\n') + '\n'

function csvCell(s: string) {
  return `"${s.replaceAll('"', '""')}"`
}
