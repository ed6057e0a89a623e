import { ConfigError } from '../errors.js'
import type { Config } from './schema.js'

const MIN_SECRET_BYTES = 32

/**
 * Checks what one JSON schema cannot express: which variables each algorithm needs, and byte lengths.
 * The schema has already checked types, ranges and defaults.
 */
export function checkConfig (config: Config): void {
  if (config.JWT_ALGORITHM.startsWith('HS')) {
    if (config.JWT_SECRET === undefined) {
      throw new ConfigError('JWT_SECRET', `is required for ${config.JWT_ALGORITHM}: set it to at least ${MIN_SECRET_BYTES} random bytes (\`tollgate secret\` prints one)`)
    }
    if (Buffer.byteLength(config.JWT_SECRET) < MIN_SECRET_BYTES) {
      throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes long`)
    }
    // Silently ignoring it would let an operator believe old tokens still verify.
    if (config.JWT_RETIRED_KEY_FILES !== undefined) {
      throw new ConfigError('JWT_RETIRED_KEY_FILES', `applies only to RS256, ES256 and EdDSA keys, not to ${config.JWT_ALGORITHM}`)
    }
  } else if (config.JWT_PRIVATE_KEY_FILE === undefined) {
    throw new ConfigError('JWT_PRIVATE_KEY_FILE', `is required for ${config.JWT_ALGORITHM}`)
  }
}
