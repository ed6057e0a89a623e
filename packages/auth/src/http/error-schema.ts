import { Type, type Static } from '@sinclair/typebox'
import { HTTP_ERROR_CODES } from '../errors.js'

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

/** A response schema that documents an error answer with the given description. */
export const errorResponse = (description: string) => Type.Ref(ErrorSchema, { description })
