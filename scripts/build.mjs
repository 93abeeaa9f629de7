// `npm run build`: the Worker bundle (what wrangler deploys, and what the workerd tests run)
// and the static folder both runtimes serve: the snippet and the dashboard (dist/public).
import { build } from 'esbuild'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildDashboard } from './build-dashboard.mjs'
import { buildSnippet } from './build-snippet.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Bundles worker/src/worker.ts for workerd: ESM, the `workerd`/`worker`/`browser` export conditions. */
export async function buildWorker(outfile = resolve(root, 'dist/worker/worker.js')) {
  // The Worker bundles the built snippet (dist/snippet-module.json).
  if (!existsSync(resolve(root, 'dist/snippet-module.json'))) await buildSnippet()
  await build({
    entryPoints: [resolve(root, 'worker/src/worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    // As wrangler resolves packages: a `browser` build first (papaparse's main one requires `stream`).
    mainFields: ['browser', 'module', 'main'],
    minify: false,
    sourcemap: false,
    logLevel: 'warning',
  })
  return outfile
}

export async function buildAll() {
  mkdirSync(resolve(root, 'dist/public'), { recursive: true })
  await buildSnippet()
  await buildDashboard()
  await buildWorker()
  writeFileSync(resolve(root, 'dist/public/_headers'), WORKERS_HEADERS)
}

/**
 * Headers for what Workers serve from dist/public (Cloudflare's _headers file), matching
 * the Node server: the dashboard's strict CSP, s.js cached an hour, app assets revalidated
 * (a _headers rule cannot see the ?v= hash that lets Node cache them for a year).
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://www.gravatar.com; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
const WORKERS_HEADERS = `/*
  Content-Security-Policy: ${CSP}
  X-Content-Type-Options: nosniff
/s.js
  Cache-Control: public, max-age=3600
  Access-Control-Allow-Origin: *
/app/*
  Cache-Control: no-cache
`

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildAll()
