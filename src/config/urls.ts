import type { Config } from './schema.js'

/**
 * The token endpoint's URL, from PUBLIC_URL: what the metadata announces (RFC 8414), and one of the two
 * `aud` values a client assertion may carry (RFC 7523 §3), the issuer being the other.
 */
export const tokenEndpointUrl = (config: Pick<Config, 'PUBLIC_URL'>): string => `${config.PUBLIC_URL}/auth/token`
