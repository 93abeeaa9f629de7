// The ceiling: a bare Hono app on @hono/node-server that reads the body and answers 204.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { answerCpuQueries } from './probe.js'

const app = new Hono()
app.post('*', async (c) => {
  await c.req.text()
  return c.body(null, 204)
})
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${info.port}` }))
})
answerCpuQueries()
process.once('SIGTERM', () => server.close(() => process.exit(0)))
