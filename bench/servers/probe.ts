// Lets the bench process ask a server for its CPU time (process.cpuUsage, µs) over IPC,
// so each figure can be paired with the server CPU it cost — steadier than req/s on a
// shared machine.
export function answerCpuQueries() {
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() })
  })
  process.channel?.unref()
}
