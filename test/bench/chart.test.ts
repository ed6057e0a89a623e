import t from 'tap'
import { benchChart, escapeXml } from '../../bench/lib/chart.js'

const rows = [
  { label: 'Tollgate, protected', requestsPerSecond: 40000, p99: 2, peer: false },
  { label: 'Express <passport> & co', requestsPerSecond: 10000, p99: 8, peer: true }
]

/** The bars of one panel, in row order: their class and drawn width. */
function bars (svg: string, panel: 'rps' | 'p99') {
  return [...svg.matchAll(new RegExp(`<rect class="bar ${panel} (\\w+)"[^>]* width="([\\d.]+)"`, 'g'))].map(([, who, width]) => ({ who, width: Number(width) }))
}

t.test('one row per case: bar lengths follow requests/s and p99, peers in their own colour', async (t) => {
  const svg = benchChart(rows, 'Node v20, 2 cores')
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/)
  t.match(svg, /<\/svg>\n$/)
  const rps = bars(svg, 'rps')
  t.same(rps.map((bar) => bar.who), ['tollgate', 'peer'])
  t.equal(rps[0]!.width / rps[1]!.width, 4, 'four times the requests/s, four times the bar')
  const p99 = bars(svg, 'p99')
  t.equal(p99[1]!.width / p99[0]!.width, 4, 'four times the p99, four times the bar')
  t.match(svg, '>40000</text>', 'values are written beside the bars')
  t.match(svg, '>8.0</text>')
  t.match(svg, 'requests/s (higher is better)')
  t.match(svg, 'p99 latency, ms (lower is better)')
  t.match(svg, 'Node v20, 2 cores')
  const fills = new Set([...svg.matchAll(/class="bar \w+ (\w+)"[^>]* fill="(#[0-9a-f]+)"/g)].map(([, who, fill]) => `${who} ${fill}`))
  t.equal(fills.size, 2, 'one colour for Tollgate, another for the peers')
})

t.test('labels are escaped, so any case name gives a valid document', async (t) => {
  const svg = benchChart(rows, 'a & b')
  t.match(svg, 'Express &lt;passport&gt; &amp; co')
  t.notMatch(svg, '<passport>')
  t.match(svg, 'a &amp; b')
  t.equal(escapeXml('<"\'&>'), '&lt;&quot;&apos;&amp;&gt;')
  t.equal([...svg.matchAll(/<text\b/g)].length, [...svg.matchAll(/<\/text>/g)].length, 'every text element is closed')
  // XML refuses a document in which an element names an attribute twice: browsers then show nothing.
  for (const [tag] of svg.matchAll(/<[a-z]+\b[^>]*>/g)) {
    const names = [...tag.matchAll(/\s([a-z-]+)="/g)].map(([, name]) => name)
    t.equal(new Set(names).size, names.length, `no attribute twice in ${tag.slice(0, 40)}…`)
  }
})

t.test('a panel where every value is 0 draws empty bars, not NaN', async (t) => {
  const svg = benchChart(rows.map((row) => ({ ...row, p99: 0 })), '')
  t.same(bars(svg, 'p99').map((bar) => bar.width), [0, 0])
  t.notMatch(svg, /NaN|Infinity/)
})
