import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { buildSnippet } from '../../scripts/build-snippet.mjs'
import { adminContract } from '../contract/admin-contract.js'
import { testApp } from '../helpers/test-app.js'

// The admin API contract on Node (app.request over a libSQL file, the built snippet as node.ts
// loads it); test/runtime/workerd.test.ts runs it on workerd against the bundled Worker.
adminContract('node', async () => {
  const built = resolve(import.meta.dirname, '../../dist/snippet-module.json')
  if (!existsSync(built)) await buildSnippet()
  const snippet = JSON.parse(readFileSync(built, 'utf8'))
  const t = await testApp({ snippet })
  const origin = 'http://jimer.test'
  return {
    fetch: async (path, init) => t.app.request(origin + path, init),
    origin, db: t.db, writeKey: t.boot.writeKey, projectId: t.boot.projectId,
    adminEmail: t.boot.adminEmail, adminPassword: 'correct horse battery', close: async () => t.dispose(),
  }
})
