/** About 26 URL-safe characters (base 36) from crypto.getRandomValues: 128 random bits. */
export const randomId = (): string => crypto.getRandomValues(new Uint32Array(4)).reduce((s: any, n) => s + n.toString(36), '')
