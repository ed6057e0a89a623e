import type { LightMyRequestResponse } from 'fastify'

export const JSON_TYPE = 'application/json'

/**
 * Throws unless the answer is what any input deserves: below 500, and (unless `emptyOk` and empty) a JSON
 * object without a stack trace. Returns true, so a fast-check property can end with it.
 */
export function expectJsonAnswer (response: LightMyRequestResponse, sent: unknown, { emptyOk = false } = {}): true {
  const what = `${response.statusCode} for ${JSON.stringify(sent)?.slice(0, 300)}: ${response.body.slice(0, 300)}`
  if (response.statusCode >= 500) throw new Error(what)
  if (emptyOk && response.body === '') return true
  if (!String(response.headers['content-type']).startsWith(JSON_TYPE)) throw new Error(`not JSON: ${what}`)
  const body: unknown = JSON.parse(response.body)
  if (typeof body !== 'object' || body === null) throw new Error(`not an object: ${what}`)
  if (response.statusCode >= 400 && JSON.stringify(body).includes('    at ')) throw new Error(`a stack trace: ${what}`)
  return true
}
