import { UAParser } from 'ua-parser-js'

/** What a device row records about the browser it stands for (F-07). */
export interface DeviceInfo {
  browser: string | null
  browserVersion: string | null
  os: string | null
  osVersion: string | null
  deviceType: string | null
  userAgent: string | null
  language: string | null
  timezone: string | null
  screen: string | null
}

// Parsing a user agent costs tens of microseconds and a site's visitors share a few
// hundred of them: a small per-isolate cache, emptied when full.
const parsed = new Map<string, UAParser.IResult>()
function parseUserAgent(ua: string): UAParser.IResult {
  let result = parsed.get(ua)
  if (!result) {
    if (parsed.size >= 1000) parsed.clear()
    parsed.set(ua, (result = new UAParser(ua).getResult()))
  }
  return result
}

const text = (v: unknown, max = 100): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null)

/**
 * Derives the device from a Segment `context` (userAgent, locale, timezone, screen). The
 * parser is ua-parser-js 1.x (MIT); it names no type for desktops, so a parsed browser
 * with no device type is a desktop.
 */
export function deviceFromContext(context: Record<string, unknown>): DeviceInfo {
  const userAgent = text(context.userAgent, 1000)
  const ua = userAgent ? parseUserAgent(userAgent) : null
  const screen = context.screen as { width?: unknown; height?: unknown } | undefined
  const hasScreen = screen && typeof screen === 'object' && Number.isFinite(screen.width) && Number.isFinite(screen.height)
  return {
    browser: text(ua?.browser.name),
    browserVersion: text(ua?.browser.version),
    os: text(ua?.os.name),
    osVersion: text(ua?.os.version),
    deviceType: ua ? (ua.device.type ?? (ua.browser.name || ua.os.name ? 'desktop' : null)) : null,
    userAgent,
    language: text(context.locale ?? context.language, 35),
    timezone: text(context.timezone, 64),
    screen: hasScreen ? `${Math.round(screen.width as number)}x${Math.round(screen.height as number)}` : null,
  }
}

