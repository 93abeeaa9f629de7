// Node-only: invitation emails over SMTP with nodemailer (MIT-0), when SMTP_URL is set
// (`smtp://user:pass@host:587`, `smtps://…:465`). Imported by node.ts only.
import nodemailer from 'nodemailer'
import type { Mailer } from './app.js'

export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url)
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
    },
  }
}
