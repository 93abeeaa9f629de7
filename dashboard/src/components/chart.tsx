// Events per day as bars (uPlot: small, canvas, no inline styles or scripts, so it runs under the CSP).
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export function DailyChart({ days, label }: { days: { day: string; count: number }[]; label: string }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current!
    const xs = days.map((d) => Date.parse(d.day + 'T00:00:00Z') / 1000)
    const ys = days.map((d) => d.count)
    const accent = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || '#1f5eff'
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
          { label, stroke: accent, fill: accent + 'cc', width: 0, paths: uPlot.paths.bars!({ size: [0.7, 24], gap: 1 }), points: { show: false } },
        ],
      },
      [xs, ys],
      el,
    )
    // Follows the panel's width (the side panel can be resized by the window).
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height: 160 }))
    ro.observe(el)
    return () => {
      ro.disconnect()
      plot.destroy()
    }
  }, [days, label])
  const total = days.reduce((s, d) => s + d.count, 0)
  return (
    <figure class="chart">
      <div ref={box} class="chart-canvas" role="img" aria-label={`${label}: ${total} over ${days.length} days`} />
    </figure>
  )
}
