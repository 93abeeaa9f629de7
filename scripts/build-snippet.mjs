// The snippet build (snippet/): dist/s.js (the script), dist/stub.min.js (the paste-in, with
// placeholders the server fills in), dist/snippet.json (content hash and sizes) and
// dist/snippet-module.json (all three for the Worker bundle, which imports it).
// `buildSnippet()` is called by scripts/build.mjs, by `npm start` when dist/s.js is missing,
// and by the browser tests, which always run against this minified output.
import { build, transform } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Placeholders in the stub: JSON string literals, replaced with JSON string literals. */
export const STUB_SRC = '"__JIMER_SRC__"'
export const STUB_KEY = '"__JIMER_KEY__"'

const version = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version

/** Byte budgets (issue 3), checked by `npm run size` and test/unit/snippet-size.test.ts. */
export const BUDGET = { scriptGzip: 2048, scriptGzipGoal: 1400, stubMin: 400 }

/** The stub as a customer gets it, with a write key and a URL of typical length. */
export const sampleStub = (stub) =>
  stub.replace(STUB_SRC, JSON.stringify('https://jimer.example.com/s.js')).replace(STUB_KEY, JSON.stringify('wk_' + 'x'.repeat(24)))

/** min and gzip -9 bytes of a text (zlib level 9, as `gzip -9 < file`: no file name in the header). */
export function sizes(text) {
  const buf = Buffer.from(text)
  return { min: buf.length, gzip: gzipSync(buf, { level: 9 }).length }
}

/**
 * Builds the snippet into `outdir` (default dist/), plus a copy of s.js in dist/public for
 * the Workers static assets. Returns the content hash (the `?v=` of the script URL).
 */
export async function buildSnippet(outdir = resolve(root, 'dist')) {
  const script = await build({
    entryPoints: [resolve(root, 'snippet/src/main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2017',
    platform: 'browser',
    minify: true,
    // Internal object properties end in `_` and are renamed; wire and API names are kept.
    mangleProps: /_$/,
    legalComments: 'none',
    // No "use strict" prologue: the bundle is an IIFE with nothing that needs it.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    define: { __VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  })
  const js = script.outputFiles[0].text.trimEnd()
  const stub = (await transform(readFileSync(resolve(root, 'snippet/stub.js'), 'utf8'), { minify: true, target: 'es2017', legalComments: 'none' })).code.trimEnd()
  if (!stub.includes(STUB_SRC) || !stub.includes(STUB_KEY)) throw new Error('snippet/stub.js lost its placeholders')

  const hash = createHash('sha256').update(js).digest('hex').slice(0, 12)
  const info = { version, hash, script: sizes(js), stub: sizes(stub) }
  mkdirSync(resolve(outdir, 'public'), { recursive: true })
  // Written whole then renamed: a server starting in parallel never reads half a file.
  // snippet.json goes last, so its hash always describes the s.js beside it.
  const write = (name, text) => {
    const file = resolve(outdir, name)
    writeFileSync(`${file}.${process.pid}.tmp`, text)
    renameSync(`${file}.${process.pid}.tmp`, file)
  }
  write('s.js', js)
  write('public/s.js', js)
  write('stub.min.js', stub)
  // The Worker imports this one (worker/src/worker.ts): it has no file system to read the others from.
  write('snippet-module.json', JSON.stringify({ script: js, stub, hash }))
  write('snippet.json', JSON.stringify(info, null, 2) + '\n')
  return info
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) console.log(await buildSnippet())
