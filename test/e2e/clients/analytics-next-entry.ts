// Bundled by esbuild for the browser test: Segment's analytics.js as a site installs it from npm.
import { AnalyticsBrowser } from '@segment/analytics-next'

;(globalThis as unknown as { AnalyticsBrowser: typeof AnalyticsBrowser }).AnalyticsBrowser = AnalyticsBrowser
