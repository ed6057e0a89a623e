/**
 * What the runner and the Tollgate bench server (servers/tollgate.ts) both know: the clients' names and
 * addresses the server registers and the runner's requests use. Nothing here loads the load generator.
 */

/** The service the bench exchanges tokens for: one of `bench-basic`'s audiences. */
export const EXCHANGE_TARGET = 'https://billing.bench.example'

/** The public client the bench server's codes are issued to, and where it registered to receive them. */
export const CODE_CLIENT = 'bench-app'
export const CODE_REDIRECT_URI = 'https://app.bench.example/callback'

/** The most one-use credentials the bench server makes in one answer; more are asked for in turn. */
export const MAX_MINTED = 20_000

/** The cluster the bench's workloads run in: its service-account issuer, and the one workload bound to a client. */
export const WORKLOAD_ISSUER = 'https://kubernetes.default.svc.cluster.local'
export const WORKLOAD_SUBJECT = 'system:serviceaccount:bench:orders'
/** Kubernetes' default for a projected service-account token, and the trusted issuer's `--max-lifetime`. */
export const WORKLOAD_TOKEN_LIFETIME = 3600
