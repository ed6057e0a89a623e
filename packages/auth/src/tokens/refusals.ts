import { TokenError } from 'fast-jwt'
import { InvalidTokenError } from '../errors.js'
import { ACCESS_TOKEN_TYPE } from './claims.js'

/** Reasons of Tollgate's own, beside fast-jwt's `TokenError.codes`. */
export const KEY_SOURCE_HEADER = 'TOLLGATE_KEY_SOURCE_HEADER'
export const TOO_LONG = 'TOLLGATE_TOO_LONG'

const DESCRIPTIONS: Record<string, string> = {
  [TokenError.codes.expired]: 'The access token expired',
  [TokenError.codes.inactive]: 'The access token is not valid yet',
  [TokenError.codes.invalidSignature]: 'The access token signature is invalid',
  [TokenError.codes.invalidAlgorithm]: 'The access token algorithm is not accepted',
  [TokenError.codes.invalidClaimValue]: 'The access token was not issued for this audience or by this issuer',
  [TokenError.codes.missingRequiredClaim]: 'The access token is missing a required claim',
  [TokenError.codes.invalidClaimType]: 'The access token has a claim of the wrong type',
  [TokenError.codes.missingKey]: 'The access token was signed with an unknown key',
  [TokenError.codes.missingSignature]: 'The access token is not signed',
  [TokenError.codes.invalidType]: `The access token is not of type ${ACCESS_TOKEN_TYPE}`,
  [TokenError.codes.invalidCritHeader]: 'The access token has a critical header Tollgate does not support',
  [TokenError.codes.malformed]: 'The access token is malformed',
  [KEY_SOURCE_HEADER]: 'The access token names a key source, which Tollgate never follows',
  [TOO_LONG]: 'The access token is too long'
}

/**
 * One error per reason, built once: a refusal is as common as a success under a flood of bad tokens, and
 * neither its message nor its code depends on the token.
 */
const REFUSALS = new Map(Object.entries(DESCRIPTIONS).map(([reason, description]) => [
  reason,
  new InvalidTokenError(reason === TokenError.codes.expired ? 'ERR_TOKEN_EXPIRED' : 'ERR_TOKEN_INVALID', description, reason)
]))

export const refusal = (reason: string): InvalidTokenError =>
  REFUSALS.get(reason) ?? REFUSALS.get(TokenError.codes.malformed) as InvalidTokenError

export function toInvalidTokenError (error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error
  return refusal(error instanceof TokenError ? error.code : TokenError.codes.malformed)
}

export const MALFORMED = refusal(TokenError.codes.malformed)
export const EXPIRED = refusal(TokenError.codes.expired)
export const NOT_YET_VALID = refusal(TokenError.codes.inactive)
export const WRONG_ISSUER_OR_AUDIENCE = refusal(TokenError.codes.invalidClaimValue)
export const WRONG_CLAIM_TYPE = refusal(TokenError.codes.invalidClaimType)
export const UNKNOWN_KEY = refusal(TokenError.codes.missingKey)

/**
 * One verifier's wrong-issuer-or-audience refusal, naming what it expects: the usual cause is a token signed
 * under another PUBLIC_URL (another instance's, or the CLI's run with other variables), which the expected
 * issuer makes plain. Both are public: the issuer's metadata publishes them.
 */
export const wrongIssuerOrAudience = (issuer: string, audience: string | undefined): InvalidTokenError =>
  new InvalidTokenError('ERR_TOKEN_INVALID',
    `${DESCRIPTIONS[TokenError.codes.invalidClaimValue] as string}: expected issuer ${issuer}${audience === undefined ? '' : ` and audience ${audience}`}`,
    TokenError.codes.invalidClaimValue)

/**
 * Refusals that no later moment can turn into an acceptance: the same token string gets the same answer
 * for as long as the keys stay the same. A token not valid yet will be, and an unknown key may be
 * published yet, so those two are decided afresh each time.
 */
export const isFinal = (error: InvalidTokenError): boolean => error !== NOT_YET_VALID && error !== UNKNOWN_KEY
