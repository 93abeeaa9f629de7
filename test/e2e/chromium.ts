import { chromium, type BrowserContext } from 'playwright-core'

/**
 * Debian's Chromium as RUNTIME.md says to launch it, in a fresh profile folder.
 * `--host-resolver-rules` stops lookups of any outside host; tests also assert no request left.
 */
export function launchChromium(profileDir: string, options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    ...options,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  })
}
