import { isIP } from 'node:net'
import { ConfigError } from '@tollgate/auth/errors'

/** What TRUST_PROXY says: trust every hop or none, a number of hops, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[]

/** proxy-addr's names for well-known ranges, which Fastify's `trustProxy` accepts beside addresses. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** An address, or an address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange (entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

/**
 * TRUST_PROXY, as Fastify's `trustProxy` option: unset or `false`, the socket's peer is the client (the
 * default); `true`, the left-most `X-Forwarded-For` address (only when every caller passes through a proxy
 * that sets it); a whole number, that many proxy hops from the right; otherwise a comma-separated list of
 * the proxies' addresses and CIDR ranges, whose `X-Forwarded-For` entries are skipped from the right.
 */
export function parseTrustProxy (value: string | undefined): TrustProxy {
  const text = value?.trim() ?? ''
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    if (hops < 1 || hops > 16) throw new ConfigError('TRUST_PROXY', 'as a hop count must be 1 to 16')
    return hops
  }
  const entries = text.split(',').map((entry) => entry.trim())
  const bad = entries.find((entry) => !isAddressOrRange(entry))
  if (bad !== undefined) {
    throw new ConfigError('TRUST_PROXY', `must be true, false, a hop count, or comma-separated addresses and CIDR ranges; ${JSON.stringify(bad.slice(0, 60))} is none of these`)
  }
  return entries
}

/**
 * TRUST_PROXY as Fastify's `trustProxy` option. Fastify 5.12 ignores a plain number (it trusts no hop,
 * as a hop count cannot tell a proxy from a client that reached the server directly): a count is given
 * as the function it stands for, trusting that many hops from the socket, for an operator who says every
 * request comes through that many proxies. Addresses are the safer setting, and the README says so.
 */
export function fastifyTrustProxy (value: string | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  const trust = parseTrustProxy(value)
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust
}
