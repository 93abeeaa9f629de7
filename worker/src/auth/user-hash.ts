/**
 * Identity verification (F-08): the site's server signs the user id with the project's
 * secret key, `hex(HMAC-SHA256(secret, userId))`, and the snippet sends it as
 * `context.userHash`. Without it, anyone holding the public write key could write to any
 * user's profile.
 *
 * @example
 * // Node, on the customer's server:
 * crypto.createHmac('sha256', SECRET_KEY).update(userId).digest('hex')
 */
export async function userHash(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(userId)))
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Constant-time comparison of a given hash against the hashes of each valid secret (rotation overlap). */
export async function userHashValid(secrets: string[], userId: string, given: string): Promise<boolean> {
  let ok = false
  for (const secret of secrets) {
    const expected = await userHash(secret, userId)
    let diff = expected.length ^ given.length
    for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) || 0)
    ok = ok || diff === 0
  }
  return ok
}
