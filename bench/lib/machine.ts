import { readFileSync } from 'node:fs'

/**
 * Busy CPU time of the whole machine so far, in ms (Linux /proc/stat; USER_HZ is 100 on
 * Linux). Compared with the CPU of the processes under test it tells how much of the
 * machine other processes took during a run — on a shared machine that is the noise.
 */
export function machineBusyMs(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = cpu
    return (user + nice + system + irq + softirq + (steal ?? 0)) * 10
  } catch {
    return undefined
  }
}

/**
 * Waits (at most `maxMs`) until the machine has been nearly idle for one second — other
 * engineers' test runs on a shared machine skew a run that starts in their middle.
 * Resolves with the busy share of the last second (in % of one core), undefined off Linux.
 */
export async function waitForQuiet(maxMs = 10_000, thresholdPct = 25): Promise<number | undefined> {
  const deadline = Date.now() + maxMs
  for (;;) {
    const before = machineBusyMs()
    if (before === undefined) return undefined
    const t0 = Date.now()
    await new Promise((ok) => setTimeout(ok, 1000))
    const pct = ((machineBusyMs()! - before) / (Date.now() - t0)) * 100
    if (pct <= thresholdPct || Date.now() >= deadline) return pct
  }
}
