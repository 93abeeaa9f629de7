// The dashboard build (dashboard/): one minified ES2020 bundle and its stylesheet in
// dist/public/app/, and dist/public/index.html that loads them. No inline script or style
// anywhere, so the page runs under a strict CSP (`script-src 'self'; style-src 'self'`).
// `buildDashboard()` is called by scripts/build.mjs, by `npm start` on a first start, and by
// the dashboard browser tests, which always run against this output.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#1f5eff"/><path d="M19 8v11a5 5 0 0 1-10 0" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round"/><circle cx="23" cy="8" r="2.4" fill="#ffd166"/></svg>`

/** The HTML shell: the hash in the query makes the assets cacheable forever. */
const page = (hash) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jimer</title>
<link rel="icon" href="/app/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app/app.css?v=${hash}">
<script type="module" src="/app/app.js?v=${hash}"></script>
</head>
<body>
<div id="app"></div>
<noscript>Jimer's dashboard needs JavaScript.</noscript>
</body>
</html>
`

/**
 * Builds the dashboard into `outdir` (default dist/public). Returns the content hash (the
 * `?v=` of the asset URLs) and the bundle sizes.
 */
export async function buildDashboard(outdir = resolve(root, 'dist/public')) {
  const result = await build({
    entryPoints: { app: resolve(root, 'dashboard/src/main.tsx') },
    bundle: true,
    write: false,
    outdir: resolve(outdir, 'app'),
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  })
  const out = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext))
  const js = out('.js').text
  const css = out('.css').text
  const hash = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12)
  mkdirSync(resolve(outdir, 'app'), { recursive: true })
  // Written whole then renamed, assets before the page: a server starting in parallel (or a
  // second test file building at the same time) never serves half a file or a page whose
  // assets are missing.
  const write = (name, text) => {
    const file = resolve(outdir, name)
    writeFileSync(`${file}.${process.pid}.tmp`, text)
    renameSync(`${file}.${process.pid}.tmp`, file)
  }
  write('app/app.js', js)
  write('app/app.css', css)
  write('app/favicon.svg', FAVICON)
  write('app/build.json', JSON.stringify({ hash }) + '\n')
  write('index.html', page(hash))
  return { hash, js: Buffer.byteLength(js), css: Buffer.byteLength(css) }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) console.log(await buildDashboard())
