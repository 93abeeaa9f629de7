import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received { id: string; timestamp: string; signature: string; body: string; status: number; at: number }

/**
 * A real HTTP receiver on 127.0.0.1 (port 0) that records every request and answers what
 * `answer` says for it (200 unless told otherwise).
 */
export async function webhookReceiver() {
  const received: Received[] = []
  let answer: (r: Omit<Received, 'status' | 'at'>) => number = () => 200
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const r = { id: String(req.headers['webhook-id']), timestamp: String(req.headers['webhook-timestamp']), signature: String(req.headers['webhook-signature']), body }
      const status = answer(r)
      received.push({ ...r, status, at: Date.now() })
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver is down')
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  return {
    url, received,
    /** The requests answered with a 2xx. */
    delivered: () => received.filter((r) => r.status < 300),
    answer: (fn: typeof answer) => void (answer = fn),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}
