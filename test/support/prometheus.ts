/** One sample of a Prometheus text exposition: `name{label="value",…} number`. */
interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseSamples (text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const match = LINE.exec(line)
    if (match === null) continue
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_all, c: string) => c === 'n' ? '\n' : c)
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return samples
}

/** The value of the sample with this name and exactly these labels; 0 when there is none yet. */
export function sampleValue (text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
  const found = parseSamples(text).find((sample) => sample.name === name &&
    Object.keys(sample.labels).length === wanted.length && wanted.every(([key, value]) => sample.labels[key] === value))
  return found?.value ?? 0
}

/** Fetches `url` (a metrics endpoint) and returns its text, failing on anything but a 200. */
export async function scrape (url: string): Promise<string> {
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`scraping ${url} answered ${response.status}`)
  return await response.text()
}
