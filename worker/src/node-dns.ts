// Node-only: the resolver the webhook target check uses to see every address a name has.
import { lookup } from 'node:dns/promises'
import type { Resolver } from './webhooks/target.js'

/** Every address the system resolver gives (as a connection would find it: /etc/hosts included). */
export const nodeResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)
