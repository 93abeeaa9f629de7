// What the XSS sweep watches: any call of `window.__xss` (a payload that ran), any CSP
// violation (a payload the policy stopped), and on each screen the DOM itself: markup that
// should have been text, and links built from data that would run script.
import type { Page } from 'playwright-core'
import type { DashboardBrowser } from './dashboard-harness.js'
import { FIELDS, PAYLOADS } from './xss-seed.js'

export interface Sweep {
  /** `window.__xss(n)` calls, with the page they came from. */
  calls: string[]
  /** `securitypolicyviolation` events, reported by the page itself. */
  violations: string[]
  /** DOM findings: event-handler attributes, foreign scripts, frames, script URLs in links. */
  findings: string[]
  screens: string[]
  links: number
  /** Fields and payloads seen as text, and where first. */
  seen: Map<string, string>
}

export async function watch(browser: DashboardBrowser): Promise<Sweep> {
  const sweep: Sweep = { calls: [], violations: [], findings: [], screens: [], links: 0, seen: new Map() }
  // Bindings work on every page of the context and are not subject to the page's CSP.
  await browser.context.exposeBinding('__xss', ({ page }, n: unknown) => void sweep.calls.push(`__xss(${String(n)}) on ${page.url()}`))
  await browser.context.exposeBinding('__cspViolation', (_source, text: string) => void sweep.violations.push(text))
  await browser.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      ;(window as unknown as { __cspViolation(t: string): void }).__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} (${e.sample})`)
    }, true)
  })
  return sweep
}

/** Everything shown as text (inner text, field values, options), and what should not be there. */
function readScreen() {
  const bad: string[] = []
  const unsafe = (url: string) => /^\s*(javascript|data|vbscript):/i.test(url)
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name)) bad.push(`<${el.localName} ${a.name}="${a.value}">`)
  }
  for (const s of Array.from(document.scripts)) {
    if (!s.src || new URL(s.src).origin !== location.origin) bad.push(`script ${s.src || s.text.slice(0, 80)}`)
  }
  for (const el of Array.from(document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv]'))) bad.push(`<${el.localName}>`)
  const links = Array.from(document.querySelectorAll<HTMLAnchorElement | HTMLAreaElement>('a[href], area[href]'))
  for (const a of links) if (unsafe(a.getAttribute('href')!) || !['http:', 'https:', 'mailto:'].includes(a.protocol)) bad.push(`link ${a.getAttribute('href')}`)
  for (const f of Array.from(document.querySelectorAll('form[action], button[formaction]'))) {
    const url = f.getAttribute('action') ?? f.getAttribute('formaction')!
    if (unsafe(url)) bad.push(`form ${url}`)
  }
  for (const img of Array.from(document.images)) if (img.src && new URL(img.src).origin !== location.origin && !img.src.startsWith('data:')) bad.push(`img ${img.src}`)
  const values = Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')).map((i) => i.value)
  const options = Array.from(document.querySelectorAll('option, optgroup')).map((o) => (o as HTMLOptionElement).label || o.textContent)
  return { text: [document.body.innerText, ...values, ...options].join('\n'), bad, links: links.length }
}

/** Scans the screen: records what it shows as text, and anything that is markup or a script URL. */
export async function visit(page: Page, sweep: Sweep, screen: string) {
  const { text, bad, links } = await page.evaluate(readScreen)
  sweep.screens.push(screen)
  sweep.links += links
  sweep.findings.push(...bad.map((b) => `${screen}: ${b}`))
  // Payloads inside a JSON view (an event's properties) read with their quotes escaped.
  const shown = (s: string) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1))
  for (const [name, value] of [...Object.entries(FIELDS), ...Object.entries(PAYLOADS).map(([k, p]) => [`payload:${k}`, p])]) {
    if (!sweep.seen.has(name) && shown(value)) sweep.seen.set(name, screen)
  }
}

/** Names of the fields and payloads no screen has shown yet. */
export const unseen = (sweep: Sweep) => [...Object.keys(FIELDS), ...Object.keys(PAYLOADS).map((k) => `payload:${k}`)].filter((n) => !sweep.seen.has(n))
