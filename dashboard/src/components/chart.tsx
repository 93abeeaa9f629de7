// Counts per day as bars (uPlot: small, canvas, no inline styles or scripts, so it runs under the CSP).
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface BarSeries { label: string; values: number[]; /** a CSS custom property, e.g. --accent */ color: string; fallback: string }

/** Events per day (the profile's Events tab). */
export function DailyChart({ days, label }: { days: { day: string; count: number }[]; label: string }) {
  return <DailyBars days={days.map((d) => d.day)} series={[{ label, values: days.map((d) => d.count), color: '--accent', fallback: '#1f5eff' }]} />
}

/** One or more series of bars per day, side by side (entered / left of a segment). */
export function DailyBars({ days, series }: { days: string[]; series: BarSeries[] }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current!
    const xs = days.map((d) => Date.parse(d + 'T00:00:00Z') / 1000)
    const css = getComputedStyle(document.documentElement)
    const width = series.length > 1 ? 0.8 / series.length : 0.7
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: 160,
        legend: { show: false },
        cursor: { y: false, points: { show: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [
          { stroke: '#8a94a6', grid: { show: false }, ticks: { show: false }, font: '11px system-ui, sans-serif', space: 60 },
          { stroke: '#8a94a6', grid: { stroke: '#eef0f4', width: 1 }, ticks: { show: false }, font: '11px system-ui, sans-serif', size: 36, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000] },
        ],
        series: [
          {},
          ...series.map((s, i) => {
            const color = css.getPropertyValue(s.color).trim() || s.fallback
            // Side by side: each series' bars shifted within the day's slot.
            const align = (series.length > 1 ? (i === 0 ? -1 : 1) : 0) as -1 | 0 | 1
            return { label: s.label, stroke: color, fill: color + 'cc', width: 0, paths: uPlot.paths.bars!({ size: [width, 20], gap: 1, align }), points: { show: false } }
          }),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      el,
    )
    // Follows the panel's width (the side panel can be resized by the window).
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height: 160 }))
    ro.observe(el)
    return () => {
      ro.disconnect()
      plot.destroy()
    }
  }, [days, series])
  const label = series.map((s) => `${s.label}: ${s.values.reduce((a, b) => a + b, 0)}`).join(', ')
  return (
    <figure class="chart">
      <div ref={box} class="chart-canvas" role="img" aria-label={`${label} over ${days.length} days`} />
    </figure>
  )
}
