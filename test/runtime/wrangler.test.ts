import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect, it } from 'vitest'
import { buildAll } from '../../scripts/build.mjs'

const ROOT = resolve(import.meta.dirname, '../..')

it('bundles for Cloudflare with wrangler (deploy --dry-run, no login, no network)', async () => {
  await buildAll()
  mkdirSync(join(ROOT, '.tmp'), { recursive: true })
  const dir = mkdtempSync(join(ROOT, '.tmp/wrangler-'))
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', join(dir, 'out')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: dir, WRANGLER_LOG_PATH: dir,
    },
  })
  expect(r.stderr + r.stdout).toContain('--dry-run: exiting now')
  expect(r.status).toBe(0)
  expect(r.stdout).toContain('env.ASSETS')
  const bundle = readFileSync(join(dir, 'out/worker.js'), 'utf8')
  expect(bundle).toContain('/v1')
  // The built snippet travels in the bundle: Settings on Workers shows the tag to paste.
  expect(bundle).toContain(JSON.parse(readFileSync(join(ROOT, 'dist/snippet.json'), 'utf8')).hash)
  expect(existsSync(join(dir, 'out/worker.js'))).toBe(true)
})
