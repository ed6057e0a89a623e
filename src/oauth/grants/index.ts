import type { ClientCredentials } from '../../clients/client-credentials.js'
import type { SessionService } from '../../sessions/sessions.js'
import { clientCredentialsGrant } from './client-credentials.js'
import type { Grant } from './grant.js'
import { passwordGrant } from './password.js'
import { refreshTokenGrant } from './refresh-token.js'

export interface GrantsDeps {
  sessions: Pick<SessionService, 'checkCredentials' | 'startSession' | 'refresh'>
  credentials: Pick<ClientCredentials, 'grant'>
}

/** Every grant the token endpoint serves, by `grant_type`; `/auth/login` and `/auth/refresh` run the same modules. */
export function createGrants (deps: GrantsDeps) {
  const password = passwordGrant(deps)
  const refreshToken = refreshTokenGrant(deps)
  const clientCredentials = clientCredentialsGrant(deps)
  const byType = new Map<string, Grant>([password, refreshToken, clientCredentials].map((grant) => [grant.type, grant]))
  return { password, refreshToken, clientCredentials, byType }
}

export type Grants = ReturnType<typeof createGrants>
