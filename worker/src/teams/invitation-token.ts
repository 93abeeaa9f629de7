import { randomToken, tokenHash } from '../auth/crypto.js'

/** An invitation is good for a week. */
export const INVITATION_TTL_MS = 7 * 86_400_000

/** A new invitation: the token (256 random bits) for the link, and the hash that is stored in its place. */
export async function newInvitationToken(): Promise<{ token: string; hash: string }> {
  const token = randomToken(32)
  return { token, hash: await tokenHash(token) }
}

/**
 * The link to send: the token rides in the fragment, which browsers never send to a
 * server — it stays out of access logs and Referer headers.
 */
export const invitationUrl = (origin: string, token: string) => `${origin}/invite#${token}`
