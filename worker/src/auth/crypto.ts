/** WebCrypto helpers shared by both runtimes (Node 20 and Workers have the same globals). */

export function base64url(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0))
}

/** A random token: `bytes` of entropy, base64url. 16 bytes = 128 bits. */
export function randomToken(bytes = 24): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/** The shortest password an account may have (a generated one is 16 characters). */
export const MIN_PASSWORD_LENGTH = 12

/** The Workers runtime caps PBKDF2 at 100,000 iterations (more throws once deployed). */
export const PBKDF2_ITERATIONS = 100_000

async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

/** `pbkdf2$iterations$salt$hash` with a per-password random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  return `pbkdf2$${PBKDF2_ITERATIONS}$${base64url(salt)}$${base64url(await pbkdf2(password, salt, PBKDF2_ITERATIONS))}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$')
  if (scheme !== 'pbkdf2' || !salt || !hash) return false
  const actual = await pbkdf2(password, fromBase64url(salt), Number(iterations))
  const expected = fromBase64url(hash)
  let diff = actual.length ^ expected.length
  for (let i = 0; i < actual.length && i < expected.length; i++) diff |= actual[i] ^ expected[i]
  return diff === 0
}

/** SHA-256 of a token, base64url: what is stored in place of a session, invitation or API token. */
export async function tokenHash(token: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))))
}
