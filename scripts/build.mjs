// `npm run build`: the Worker bundle (what wrangler deploys, and what the workerd tests run)
// and the static folder Workers serves, with the snippet (dist/s.js, dist/public/s.js).
import { build } from 'esbuild'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSnippet } from './build-snippet.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Bundles worker/src/worker.ts for workerd: ESM, the `workerd`/`worker`/`browser` export conditions. */
export async function buildWorker(outfile = resolve(root, 'dist/worker/worker.js')) {
  await build({
    entryPoints: [resolve(root, 'worker/src/worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    minify: false,
    sourcemap: false,
    logLevel: 'warning',
  })
  return outfile
}

export async function buildAll() {
  mkdirSync(resolve(root, 'dist/public'), { recursive: true })
  await buildSnippet()
  await buildWorker()
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildAll()
