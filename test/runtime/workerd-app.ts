import { Miniflare } from 'miniflare'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildWorker } from '../../scripts/build.mjs'
import { bootstrap } from '../../worker/src/setup/bootstrap.js'
import { tempDb } from '../helpers/test-app.js'
import { startHranaServer } from './hrana-server.js'

/**
 * The bundled Worker in miniflare (real workerd) over a fresh migrated database: its libSQL
 * client speaks Hrana over HTTP, and miniflare's outbound service hands those requests to
 * the test-only Hrana endpoint over the same file the assertions read. `fetch` sends any
 * request; `call` an admin request for the project with its secret key.
 */
export async function workerdApp(password: string, opts: { bindings?: Record<string, string> } = {}) {
  const db = await tempDb()
  const boot = await bootstrap(db.client, { adminPassword: password, now: Date.now() })
  const secret = (await db.client.execute({ sql: 'SELECT secret_key FROM projects WHERE id = ?', args: [boot.projectId] })).rows[0].secret_key as string
  const hrana = await startHranaServer({ dbPath: db.path })
  const scriptPath = await buildWorker(join(mkdtempSync(join(tmpdir(), 'jimer-workerd-')), 'worker.js'))
  const mf = new Miniflare({
    // Handed over as contents: workerd refuses module paths outside its starting directory.
    modules: [{ type: 'ESModule', path: 'worker.js', contents: readFileSync(scriptPath, 'utf8') }],
    compatibilityDate: '2026-04-26',
    bindings: { LIBSQL_URL: 'http://libsql.test', ...opts.bindings },
    // The database's requests go to the Hrana endpoint; any other (a webhook) out to the network as it is.
    outboundService: (request: unknown) => {
      const req = request as Request
      if (new URL(req.url).host === 'libsql.test') return hrana.handler(req) as never
      // miniflare's Request is another undici's: hand Node's fetch its parts.
      return (async () => {
        const res = await globalThis.fetch(req.url, { method: req.method, headers: [...req.headers], body: req.method === 'GET' ? undefined : await req.text(), redirect: 'manual' })
        return new Response(await res.text(), { status: res.status, headers: [...res.headers] })
      })() as never
    },
  })
  await mf.ready
  const fetch = (path: string, init?: RequestInit) => mf.dispatchFetch(`http://jimer.test${path}`, init as never) as unknown as Promise<Response>
  const call = (path: string, init: RequestInit = {}) => fetch(`/api/projects/${boot.projectId}${path}`, {
    ...init, headers: { authorization: `Bearer ${secret}`, ...(init.headers as Record<string, string>) },
  })
  const close = async () => { await mf.dispose(); await hrana.close(); db.dispose() }
  return { mf, db, boot, secret, fetch, call, close }
}
