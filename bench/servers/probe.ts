// Lets the bench process ask a server for its CPU time (process.cpuUsage, µs) and its
// memory over IPC, so each figure can be paired with the server resources it cost — steadier
// than req/s on a shared machine.
//
// The peak is sampled here every 20 ms rather than read from resourceUsage().maxRSS: Linux
// carries ru_maxrss across exec, so a server spawned by a bench process that had grown
// would report the bench's peak as its own.
/** `writeStats`: the Jimer server's write-thread totals (SQLite time inside write transactions, messages stored). */
export function answerCpuQueries(writeStats?: () => Promise<unknown>) {
  let peak = process.memoryUsage.rss()
  setInterval(() => void (peak = Math.max(peak, process.memoryUsage.rss())), 20).unref()
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() })
    if (m === 'writes') void writeStats?.().then((writes) => process.send?.({ writes }))
    if (m === 'memory') {
      const now = process.memoryUsage()
      peak = Math.max(peak, now.rss)
      process.send?.({ maxRssKiB: peak / 1024, ...now })
    }
  })
  process.channel?.unref()
}
