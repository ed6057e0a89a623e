import { parse } from 'fast-querystring'
import { TollgateError } from '@tollgate/auth/errors'

/**
 * The most members a form may have. The largest legitimate one, a token request naming every member
 * the endpoint knows with `resource` repeated 16 times (its `maxItems`), has 27.
 */
export const MAX_FORM_PARAMETERS = 64

/**
 * The largest form body, in bytes. The largest legitimate one, every member at its schema's `maxLength`
 * (16 resources of 2048 characters, an 8 KiB assertion, a 1024-character password) and each character
 * percent-encoded, is under 128 KiB; past that the body is not read further.
 */
export const FORM_BODY_LIMIT = 256 * 1024

const TOO_MANY = new TollgateError('ERR_BODY_TOO_LARGE', `A form may have at most ${MAX_FORM_PARAMETERS} parameters`)

/**
 * @fastify/formbody's parser (fast-querystring), once the members are counted: 100,000 of them cost the
 * parser ~80 ms of event loop, while counting the `&`s stops at the first one over the cap.
 */
export function parseForm (body: string): Record<string, unknown> {
  let members = 1
  for (let at = body.indexOf('&'); at !== -1; at = body.indexOf('&', at + 1)) {
    if (++members > MAX_FORM_PARAMETERS) throw TOO_MANY
  }
  return parse(body) as Record<string, unknown>
}
