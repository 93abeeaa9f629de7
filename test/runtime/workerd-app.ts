import { Miniflare } from 'miniflare'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildWorker } from '../../scripts/build.mjs'
import { bootstrap } from '../../worker/src/setup/bootstrap.js'
import { tempDb } from '../helpers/test-app.js'
import { startHranaServer } from './hrana-server.js'

/**
 * The bundled Worker in miniflare over a fresh migrated database, reached through the
 * test-only Hrana endpoint; `call` sends an admin request with the project's secret key.
 */
export async function workerdApp(password: string) {
  const db = await tempDb()
  const boot = await bootstrap(db.client, { adminPassword: password, now: Date.now() })
  const secret = (await db.client.execute({ sql: 'SELECT secret_key FROM projects WHERE id = ?', args: [boot.projectId] })).rows[0].secret_key as string
  const hrana = await startHranaServer({ dbPath: db.path })
  const scriptPath = await buildWorker(join(mkdtempSync(join(tmpdir(), 'jimer-workerd-')), 'worker.js'))
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.js', contents: readFileSync(scriptPath, 'utf8') }],
    compatibilityDate: '2026-04-26',
    bindings: { LIBSQL_URL: 'http://libsql.test' },
    outboundService: (request: unknown) => hrana.handler(request as Request) as never,
  })
  await mf.ready
  const call = (path: string, init: RequestInit = {}) => mf.dispatchFetch(`http://jimer.test/api/projects/${boot.projectId}${path}`, {
    ...init, headers: { authorization: `Bearer ${secret}`, ...(init.headers as Record<string, string>) },
  } as never) as unknown as Promise<Response>
  const close = async () => { await mf.dispose(); await hrana.close(); db.dispose() }
  return { db, boot, call, close }
}
