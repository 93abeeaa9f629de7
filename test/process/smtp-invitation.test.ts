import { createServer, type AddressInfo, type Socket } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNode } from '../../worker/src/node.js'

/**
 * A plain SMTP receiver on 127.0.0.1 (RFC 5321, just enough: EHLO, MAIL, RCPT, DATA, QUIT;
 * no STARTTLS offered), collecting what it is sent.
 */
function smtpReceiver() {
  const mails: { from: string; to: string[]; data: string }[] = []
  const waiting: (() => void)[] = []
  const server = createServer((socket: Socket) => {
    let buffer = ''
    let mail = { from: '', to: [] as string[], data: '' }
    let inData = false
    socket.write('220 test-smtp ready\r\n')
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end < 0) return
          mail.data = buffer.slice(0, end)
          buffer = buffer.slice(end + 5)
          inData = false
          mails.push(mail)
          mail = { from: '', to: [], data: '' }
          waiting.splice(0).forEach((w) => w())
          socket.write('250 queued\r\n')
          continue
        }
        const nl = buffer.indexOf('\r\n')
        if (nl < 0) return
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-test-smtp\r\n250 8BITMIME\r\n')
        else if (verb === 'MAIL') { mail.from = line; socket.write('250 ok\r\n') }
        else if (verb === 'RCPT') { mail.to.push(line); socket.write('250 ok\r\n') }
        else if (verb === 'DATA') { inData = true; socket.write('354 go on\r\n') }
        else if (verb === 'QUIT') { socket.end('221 bye\r\n') }
        else socket.write('250 ok\r\n')
      }
    })
  })
  return {
    mails,
    /** Resolves when `n` mails have arrived. */
    received: (n: number) => new Promise<void>((ok) => { const check = () => (mails.length >= n ? ok() : waiting.push(check)); check() }),
    listen: () => new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as AddressInfo).port))),
    close: () => new Promise((ok) => server.close(ok)),
  }
}

/** Issue 15: with SMTP_URL set, an invitation is also emailed (nodemailer) and its link works. */
describe('invitation emails over SMTP', () => {
  const smtp = smtpReceiver()
  let node: Awaited<ReturnType<typeof startNode>>
  let dir: string

  beforeAll(async () => {
    const port = await smtp.listen()
    dir = mkdtempSync(join(tmpdir(), 'jimer-smtp-'))
    node = await startNode({ dbPath: join(dir, 'jimer.db'), port: 0, adminPassword: 'smtp test password', smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: 'Jimer <jimer@test.example>' })
  })
  afterAll(async () => {
    await node?.close()
    await smtp.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends the link to the invited email, and says so', async () => {
    const secret = String((await node.client.execute({ sql: 'SELECT secret_key FROM projects WHERE id = ?', args: [node.boot.projectId] })).rows[0].secret_key)
    const res = await fetch(`${node.url}/api/projects/${node.boot.projectId}/invitations`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ann@example.com', role: 'editor' }),
    })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { url: string; emailed: boolean }
    expect(body.emailed).toBe(true)
    await smtp.received(1)
    const [mail] = smtp.mails
    expect(mail.from).toMatch(/<jimer@test\.example>/)
    expect(mail.to).toEqual(['RCPT TO:<ann@example.com>'])
    expect(mail.data).toMatch(/^Subject: You are invited to My project on Jimer/m)
    // Plain text, possibly quoted-printable: unfold soft line breaks before looking for the link.
    const text = mail.data.replace(/=\r\n/g, '').replace(/=3D/g, '=')
    expect(text).toContain(body.url)
    const token = new URL(body.url).hash.slice(1)
    const accept = await fetch(`${node.url}/api/invitations/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'ann chose this one' }) })
    expect(accept.status).toBe(200)
  })
})
