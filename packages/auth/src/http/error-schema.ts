import { STATUS_CODES } from 'node:http'
import { Type, type Static } from '@sinclair/typebox'
import { ERRORS, HTTP_ERROR_CODES, type ErrorCode as Code } from '../errors.js'

/*
 * The error answer's schema, apart from the other schemas: the guards (and so tollgate/auth) need it and
 * nothing else of theirs.
 */

/** A stable, machine-readable name of the failure: what a client branches on. */
export const ErrorCode = Type.Union(HTTP_ERROR_CODES.map((code) => Type.Literal(code)), {
  description: 'A stable name of the failure (README, "Error codes")'
})

/** Fastify's error shape, used for every 4xx and 5xx answer. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  code: ErrorCode
}, { $id: 'Error', title: 'Error' })

export type ErrorBody = Static<typeof ErrorSchema>

/**
 * A response schema that documents an error answer with the given description, and with `code` an example
 * answer carrying it: without one, Swagger UI makes up an example from the schema, whose first code
 * (ERR_TOKEN_MISSING, a 401) then shows under every status.
 */
export function errorResponse (description: string, code?: Code) {
  if (code === undefined) return Type.Ref(ErrorSchema, { description })
  const kind: { status?: number } = ERRORS[code]
  const statusCode = kind.status ?? 500
  const example = { statusCode, error: STATUS_CODES[statusCode], message: description.replace(/^`\w+`: /, ''), code }
  // Beside a $ref an example would be dropped: the media type holds it (OpenAPI 3.0 §4.7.14).
  return { description, content: { 'application/json': { schema: Type.Ref(ErrorSchema), example } } }
}
