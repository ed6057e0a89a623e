/**
 * The scopes Tollgate's own routes check, with what each grants: the OpenAPI document lists them, and
 * clients are given them with `tollgate client add --scopes`. Services built on Tollgate may define more.
 */
export const SCOPES: Readonly<Record<string, string>> = {
  'users:read': 'Read any user\'s profile by id'
}
