import type { Migration } from 'kysely'
import * as users from './0001-users.js'
import * as revocations from './0002-revocations.js'
import * as refreshTokens from './0003-refresh-tokens.js'
import * as clients from './0004-clients.js'
import * as signingKeys from './0005-signing-keys.js'
import * as clientPermissions from './0006-client-permissions.js'
import * as clientAuthentication from './0007-client-authentication.js'
import * as sessionDetails from './0008-session-details.js'
import * as changeNotifications from './0009-change-notifications.js'
import * as usernameSkeletons from './0010-username-skeletons.js'
import * as authorizationCodes from './0011-authorization-codes.js'
import * as workloadFederation from './0012-workload-federation.js'

/** Every migration, in order. Listed here rather than read from disk so compiled and test runs agree. */
export const migrations: Record<string, Migration> = {
  '0001-users': users,
  '0002-revocations': revocations,
  '0003-refresh-tokens': refreshTokens,
  '0004-clients': clients,
  '0005-signing-keys': signingKeys,
  '0006-client-permissions': clientPermissions,
  '0007-client-authentication': clientAuthentication,
  '0008-session-details': sessionDetails,
  '0009-change-notifications': changeNotifications,
  '0010-username-skeletons': usernameSkeletons,
  '0011-authorization-codes': authorizationCodes,
  '0012-workload-federation': workloadFederation
}
