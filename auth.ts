/**
 * `tollgate/auth`: the verifier, for services that install the whole server package. It is the
 * `@tollgate/auth` package (packages/auth), which a relying service can install alone.
 */
export * from '@tollgate/auth'
