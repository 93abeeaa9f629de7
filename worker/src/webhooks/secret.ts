/**
 * A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes (the spec asks for
 * 24 to 64). The `standardwebhooks` package signs and verifies with it as it is.
 */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return 'whsec_' + btoa(String.fromCharCode(...bytes))
}
