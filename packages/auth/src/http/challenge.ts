/** RFC 6750 §3 `WWW-Authenticate` values for the Bearer scheme. */

export interface ChallengeParams {
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope'
  description?: string
  /** The scopes the resource needs (RFC 6750 §3, space-separated). */
  scope?: string
  /** RFC 9728 §5.1: where the resource's metadata is, naming the authorization servers to ask. */
  resourceMetadata?: string
}

/** Parameter values are quoted-strings: anything that could end the quote is dropped. */
const quote = (value: string): string => `"${value.replace(/["\\\r\n]/g, '')}"`

export function bearerChallenge (realm: string, { error, description, scope, resourceMetadata }: ChallengeParams = {}): string {
  let challenge = `Bearer realm=${quote(realm)}`
  if (error !== undefined) challenge += `, error=${quote(error)}`
  if (description !== undefined) challenge += `, error_description=${quote(description)}`
  if (scope !== undefined && scope !== '') challenge += `, scope=${quote(scope)}`
  if (resourceMetadata !== undefined) challenge += `, resource_metadata=${quote(resourceMetadata)}`
  return challenge
}
