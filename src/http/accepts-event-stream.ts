/**
 * Whether an `Accept` header admits `text/event-stream` (RFC 9110 §12.5.1): absent, or the most specific
 * range matching it (`text/event-stream`, then `text/*`, then `*\/*`) has a weight above zero. The same
 * lenient rule @fastify/sse applies to an SSE-only route, decided here so the refusal is Tollgate's 406.
 */
export function acceptsEventStream (accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  let best = { specificity: 0, weight: 0 }
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase())
    const specificity = type === 'text/event-stream' ? 3 : type === 'text/*' ? 2 : type === '*/*' ? 1 : 0
    if (specificity <= best.specificity) continue
    const q = parameters.find((parameter) => parameter.startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    best = { specificity, weight: Number.isFinite(weight) ? weight : 0 }
  }
  return best.weight > 0
}
