import ipaddr from 'ipaddr.js'

/** The longest webhook URL accepted: far above any real endpoint, well below what a row should hold. */
export const MAX_URL_LENGTH = 2048

/** The addresses a host name resolves to; only Node has a resolver (node.ts wires node:dns). */
export type Resolver = (host: string) => Promise<string[]>

/** Which targets a webhook may have, as the runtime can tell. */
export interface TargetPolicy {
  /** JIMER_WEBHOOKS_ALLOW_PRIVATE=1: self-hosters on a private network, and tests. */
  allowPrivate: boolean
  /** Absent on Workers: there only literal addresses and localhost names can be checked. */
  resolve?: Resolver
}

/** Why a URL cannot be a webhook target: a stable code and a message for the `url` field. */
export interface TargetProblem { code: string; message: string }

/** Only the public unicast range may be a target: loopback, private, link-local (cloud metadata), CGNAT, multicast… are not. */
function privateAddress(text: string): string | null {
  if (!ipaddr.isValid(text)) return null
  let addr = ipaddr.parse(text)
  // ::ffff:127.0.0.1 is 127.0.0.1 to the socket.
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address()
  const range = addr.range()
  return range === 'unicast' ? null : range
}

/**
 * The URL, parsed, when it may receive webhooks; otherwise what is wrong with it. Checked
 * when an endpoint is saved and again before each delivery (a name may resolve elsewhere
 * later).
 * @example await checkTarget('http://10.0.0.5/hook', { allowPrivate: false }) // { code: 'private_target', … }
 */
export async function checkTarget(raw: string, policy: TargetPolicy): Promise<{ url: URL } | TargetProblem> {
  if (raw.length > MAX_URL_LENGTH) return { code: 'url_too_long', message: `the URL is ${raw.length} characters; at most ${MAX_URL_LENGTH}` }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { code: 'invalid_url', message: 'not a URL: write it in full, like https://example.com/hooks/jimer' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { code: 'invalid_url', message: `webhooks are sent over http(s), not ${url.protocol.replace(':', '')}` }
  if (url.username || url.password) return { code: 'invalid_url', message: 'credentials in the URL would be stored and shown in clear: put a token in the path or query instead' }
  if (policy.allowPrivate) return { url }
  // URL keeps IPv6 literals in brackets.
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const refused = (what: string) => ({ code: 'private_target', message: `${what} is not reachable from the internet; webhooks go to public addresses only (self-hosters: JIMER_WEBHOOKS_ALLOW_PRIVATE=1)` })
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return refused(host)
  const literal = privateAddress(host)
  if (literal) return refused(`${host} (${literal})`)
  if (ipaddr.isValid(host) || !policy.resolve) return { url }
  let addresses: string[]
  try {
    addresses = await policy.resolve(host)
  } catch {
    return { code: 'unresolvable_host', message: `${host} does not resolve to an address` }
  }
  if (!addresses.length) return { code: 'unresolvable_host', message: `${host} does not resolve to an address` }
  for (const a of addresses) {
    const range = privateAddress(a)
    if (range) return refused(`${host} resolves to ${a} (${range}), which`)
  }
  return { url }
}
