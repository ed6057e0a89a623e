export interface ChartRow {
  label: string
  requestsPerSecond: number
  /** Milliseconds. */
  p99: number
  /** A peer (another stack), drawn in its own colour beside Tollgate's cases. */
  peer: boolean
}

const COLOURS = { tollgate: '#2563eb', peer: '#ea580c' }
const ROW = 26
const BAR = 16
const LABEL_WIDTH = 360
const PANEL_GAP = 90
const RPS_WIDTH = 300
const P99_WIDTH = 210
const TOP = 64
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'

/** Text for an SVG document: the five characters XML gives meaning to, escaped. */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)

function panel (rows: ChartRow[], x: number, width: number, value: (row: ChartRow) => number, format: (n: number) => string, kind: string): string[] {
  // A panel where every value is 0 draws no bars rather than dividing by zero.
  const max = Math.max(...rows.map(value), Number.MIN_VALUE)
  return rows.flatMap((row, i) => {
    const y = TOP + i * ROW
    const length = (value(row) / max) * width
    const who = row.peer ? 'peer' : 'tollgate'
    return [
      `<rect class="bar ${kind} ${who}" x="${x}" y="${y}" width="${length.toFixed(1)}" height="${BAR}" fill="${COLOURS[who]}">` +
        `<title>${escapeXml(row.label)}: ${format(value(row))}</title></rect>`,
      `<text x="${(x + length + 6).toFixed(1)}" y="${y + BAR - 4}" ${FONT} font-size="12" fill="#111">${format(value(row))}</text>`
    ]
  })
}

/**
 * The bench's results as an SVG document: one row per case, requests per second on the left and p99
 * latency on the right, Tollgate's cases and the peers' in two colours. Written by hand: two bar
 * panels do not need a charting library.
 */
export function benchChart (rows: ChartRow[], subtitle: string): string {
  const rpsX = LABEL_WIDTH
  const p99X = rpsX + RPS_WIDTH + PANEL_GAP
  const width = p99X + P99_WIDTH + 60
  const legendY = TOP + rows.length * ROW + 16
  const height = legendY + 24
  const heading = (x: number, text: string) => `<text x="${x}" y="${TOP - 10}" ${FONT} font-size="12" font-weight="bold" fill="#111">${text}</text>`
  const legend = (['tollgate', 'peer'] as const).map((who, i) => {
    const x = LABEL_WIDTH + i * 150
    return `<rect x="${x}" y="${legendY}" width="12" height="12" fill="${COLOURS[who]}"/>` +
      `<text x="${x + 18}" y="${legendY + 11}" ${FONT} font-size="12" fill="#111">${who === 'tollgate' ? 'Tollgate' : 'peer'}</text>`
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title">`,
    '<title id="title">Requests per second and p99 latency per benchmark case</title>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="22" ${FONT} font-size="15" font-weight="bold" fill="#111">Tollgate benchmark</text>`,
    `<text x="12" y="40" ${FONT} font-size="12" fill="#555">${escapeXml(subtitle)}</text>`,
    heading(rpsX, 'requests/s (higher is better)'),
    heading(p99X, 'p99 latency, ms (lower is better)'),
    ...rows.map((row, i) => `<text x="${LABEL_WIDTH - 10}" y="${TOP + i * ROW + BAR - 4}" ${FONT} font-size="12" text-anchor="end" fill="#111">${escapeXml(row.label)}</text>`),
    ...panel(rows, rpsX, RPS_WIDTH, (row) => row.requestsPerSecond, (n) => n.toFixed(0), 'rps'),
    ...panel(rows, p99X, P99_WIDTH, (row) => row.p99, (n) => n.toFixed(1), 'p99'),
    ...legend,
    '</svg>',
    ''
  ].join('\n')
}
