import type { ClientCredentials } from '../../clients/client-credentials.js'
import type { SessionService } from '../../sessions/sessions.js'
import { clientCredentialsGrant } from './client-credentials.js'
import type { Grant } from './grant.js'
import { passwordGrant } from './password.js'
import { refreshTokenGrant } from './refresh-token.js'
import { tokenExchangeGrant } from './token-exchange.js'
import type { TokenExchange } from '../token-exchange.js'

export interface GrantsDeps {
  sessions: Pick<SessionService, 'checkCredentials' | 'startSession' | 'refresh'>
  credentials: Pick<ClientCredentials, 'grant'>
  exchange: Pick<TokenExchange, 'exchange'>
}

/** Every grant the token endpoint serves, by `grant_type`; `/auth/login` and `/auth/refresh` run the same modules. */
export function createGrants (deps: GrantsDeps) {
  const password = passwordGrant(deps)
  const refreshToken = refreshTokenGrant(deps)
  const clientCredentials = clientCredentialsGrant(deps)
  const tokenExchange = tokenExchangeGrant(deps)
  const byType = new Map<string, Grant>([password, refreshToken, clientCredentials, tokenExchange].map((grant) => [grant.type, grant]))
  return { password, refreshToken, clientCredentials, tokenExchange, byType }
}

export type Grants = ReturnType<typeof createGrants>
