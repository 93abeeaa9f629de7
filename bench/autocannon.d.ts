// Minimal typings for the parts of autocannon 8 the benchmarks use (the package ships none,
// and @types/autocannon is not a dependency).
declare module 'autocannon' {
  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request | undefined
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void
  }
  export interface Options {
    url: string
    connections?: number
    pipelining?: number
    duration?: number
    amount?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    requests?: Request[]
    workers?: number
  }
  export interface Histogram {
    average: number; mean: number; stddev: number; min: number; max: number; total: number
    p50: number; p90: number; p97_5: number; p99: number; p99_9: number
  }
  export interface Result {
    duration: number
    requests: Histogram & { sent: number }
    latency: Histogram & { totalCount: number }
    throughput: Histogram
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number
    statusCodeStats: Record<string, { count: number }>
  }
  function autocannon(opts: Options): Promise<Result>
  export default autocannon
}
