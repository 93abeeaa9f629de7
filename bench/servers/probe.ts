// Lets the bench process ask a server for its CPU time (process.cpuUsage, µs) and its peak
// memory (resourceUsage().maxRSS, KiB) over IPC, so each figure can be paired with the
// server resources it cost — steadier than req/s on a shared machine.
export function answerCpuQueries() {
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() })
    if (m === 'memory') process.send?.({ maxRssKiB: process.resourceUsage().maxRSS, rss: process.memoryUsage().rss })
  })
  process.channel?.unref()
}
