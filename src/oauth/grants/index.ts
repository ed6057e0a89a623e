import type { ClientCredentials } from '../../clients/client-credentials.js'
import type { ClientDirectory } from '../../clients/client-directory.js'
import type { SessionEnding } from '../../sessions/session-ending.js'
import type { SessionService } from '../../sessions/sessions.js'
import type { UsersRepository } from '../../users/users-repository.js'
import type { AuthorizationCodes } from '../authorization-codes.js'
import { authorizationCodeGrant } from './authorization-code.js'
import { clientCredentialsGrant } from './client-credentials.js'
import type { Grant } from './grant.js'
import { passwordGrant } from './password.js'
import { refreshTokenGrant } from './refresh-token.js'
import { tokenExchangeGrant } from './token-exchange.js'
import type { TokenExchange } from '../token-exchange.js'

export interface GrantsDeps {
  sessions: Pick<SessionService, 'checkCredentials' | 'startSession' | 'refresh'>
  credentials: Pick<ClientCredentials, 'grant' | 'authenticate'>
  exchange: Pick<TokenExchange, 'exchange'>
  codes: AuthorizationCodes
  users: Pick<UsersRepository, 'findById'>
  ending: Pick<SessionEnding, 'endSessions'>
  directory: Pick<ClientDirectory, 'get'>
  /** PASSWORD_GRANT: false leaves the password grant out of the token endpoint (RFC 9700 §2.4). */
  passwordGrant: boolean
}

/** Every grant the token endpoint serves, by `grant_type`; `/auth/login` and `/auth/refresh` run the same modules. */
export function createGrants (deps: GrantsDeps) {
  const password = passwordGrant(deps)
  const refreshToken = refreshTokenGrant(deps)
  const clientCredentials = clientCredentialsGrant(deps)
  const tokenExchange = tokenExchangeGrant(deps)
  const authorizationCode = authorizationCodeGrant(deps)
  const served = [...(deps.passwordGrant ? [password] : []), authorizationCode, refreshToken, clientCredentials, tokenExchange]
  const byType = new Map<string, Grant>(served.map((grant) => [grant.type, grant]))
  return { password, refreshToken, clientCredentials, authorizationCode, tokenExchange, byType }
}

export type Grants = ReturnType<typeof createGrants>
