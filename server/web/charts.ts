// Bar charts drawn on the server as SVG (views/partials/chart.ejs): no script, the same
// picture for every reader, and the numbers always in a table beside it. This file only
// lays the bars out; the words (title, description, labels) come from the template.

export interface ChartSeries {
  /** the legend's words */
  name: string
  /** one value per category; null: not published (fewer than 5) or nothing to show */
  values: Array<number | null>
}

export interface BarChart {
  width: number
  height: number
  plot: { left: number, top: number, right: number, bottom: number }
  /** horizontal lines with their values, from 0 up */
  ticks: Array<{ y: number, value: number }>
  categories: Array<{ x: number, label: string }>
  bars: Array<{ x: number, y: number, width: number, height: number, series: number, value: number, category: string }>
  /** categories with no bar where a value is missing, marked on the axis */
  missing: Array<{ x: number, series: number }>
  legend: Array<{ name: string, series: number }>
}

/** 1, 2 or 5 times a power of ten, the smallest such step giving at most 4 intervals up to max. */
function niceStep(max: number): number {
  if (max <= 0) return 1
  const raw = max / 4
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!
  return Math.max(1, step)
}

const r1 = (v: number) => Math.round(v * 10) / 10

/** Grouped vertical bars: one group per category, one bar per series. */
export function groupedBars(categories: string[], series: ChartSeries[], options: { width?: number, height?: number } = {}): BarChart {
  const width = options.width ?? 640
  const height = options.height ?? 260
  const plot = { left: 48, top: 12, right: width - 8, bottom: height - 36 }
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)))
  const step = niceStep(max)
  const top = Math.max(step, Math.ceil(max / step) * step)
  const yOf = (v: number) => r1(plot.bottom - ((plot.bottom - plot.top) * v) / top)
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => ({ y: yOf(i * step), value: i * step }))
  const band = (plot.right - plot.left) / Math.max(1, categories.length)
  const gap = band * 0.2
  const barWidth = (band - gap) / Math.max(1, series.length)
  const bars: BarChart['bars'] = []
  const missing: BarChart['missing'] = []
  categories.forEach((category, c) => {
    series.forEach((s, i) => {
      const x = plot.left + c * band + gap / 2 + i * barWidth
      const value = s.values[c] ?? null
      if (value === null) missing.push({ x: r1(x + barWidth / 2), series: i })
      else bars.push({ x: r1(x), y: yOf(value), width: r1(Math.max(1, barWidth - 1)), height: r1(plot.bottom - yOf(value)), series: i, value, category })
    })
  })
  return {
    width, height, plot, ticks, bars, missing,
    categories: categories.map((label, c) => ({ x: r1(plot.left + c * band + band / 2), label })),
    legend: series.map((s, i) => ({ name: s.name, series: i })),
  }
}
