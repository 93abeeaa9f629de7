// The snippet's byte budget (issue 3), so `npm test` fails when the build outgrows it.
import { expect, it } from 'vitest'
import { BUDGET, buildSnippet, sampleStub, sizes } from '../../scripts/build-snippet.mjs'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

it('keeps dist/s.js within 2,048 B gzip and the pasted stub within 400 B', async () => {
  const build = await buildSnippet()
  expect(build.script.gzip).toBeLessThanOrEqual(BUDGET.scriptGzip)
  const stub = sampleStub(readFileSync(resolve(import.meta.dirname, '../../dist/stub.min.js'), 'utf8'))
  expect(sizes(stub).min).toBeLessThanOrEqual(BUDGET.stubMin)
})
