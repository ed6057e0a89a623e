import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'

interface Teardown { after (fn: () => unknown): void }

export type WorkloadAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA'

interface IssuerKey { kid: string, alg: WorkloadAlgorithm, privateKey: CryptoKey, jwk: JWK }

async function newKey (alg: WorkloadAlgorithm): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = randomUUID()
  return { kid, alg, privateKey, jwk: { ...await exportJWK(publicKey), kid, alg, use: 'sig' } }
}

export interface MintOptions {
  /** Claims to set or, with `undefined`, leave out; `iss`, `iat`, `nbf` and `exp` are set unless given. */
  claims?: Record<string, unknown>
  /** Seconds from now (default 600). */
  expiresIn?: number
  header?: Record<string, unknown>
  /** Sign with this key instead of the current one (a key the issuer never published, say). */
  key?: IssuerKey
}

/**
 * An issuer of workload tokens as a cluster or CI provider runs one: OpenID discovery at
 * `/.well-known/openid-configuration` and a JWKS, on 127.0.0.1, with keys made by jose. It can rotate
 * its key, go away (`stop`) and come back on the same port (`start`).
 */
export async function startWorkloadIssuer (t: Teardown, alg: WorkloadAlgorithm = 'RS256') {
  let key = await newKey(alg)
  let published: JWK[] = [key.jwk]
  let jwksRequests = 0
  let port = 0
  let server: Server | undefined

  async function start (): Promise<void> {
    server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json')
      if (request.url === '/.well-known/openid-configuration') {
        response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/openid/v1/jwks`, id_token_signing_alg_values_supported: [alg] }))
      } else if (request.url === '/openid/v1/jwks') {
        jwksRequests++
        response.end(JSON.stringify({ keys: published }))
      } else {
        response.statusCode = 404
        response.end('{}')
      }
    })
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  }

  async function stop (): Promise<void> {
    const running = server
    server = undefined
    if (running === undefined) return
    running.closeAllConnections()
    await new Promise((resolve) => running.close(resolve))
  }

  await start()
  const issuer = `http://127.0.0.1:${port}`
  t.after(stop)

  async function mint (options: MintOptions = {}): Promise<string> {
    const signer = options.key ?? key
    const now = Math.floor(Date.now() / 1000)
    const claims: Record<string, unknown> = { iss: issuer, iat: now, nbf: now, exp: now + (options.expiresIn ?? 600), ...options.claims }
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
    return new SignJWT(claims).setProtectedHeader({ alg: signer.alg, kid: signer.kid, ...options.header }).sign(signer.privateKey)
  }

  /**
   * A Kubernetes projected service-account token (as kube-apiserver mints for a `serviceAccountToken`
   * volume with an audience): `sub` `system:serviceaccount:<ns>:<name>` and the `kubernetes.io` claim.
   */
  function kubernetesToken (namespace: string, serviceAccount: string, audience: string | string[], options: MintOptions = {}): Promise<string> {
    return mint({
      ...options,
      claims: {
        aud: audience,
        sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
        jti: randomUUID(),
        'kubernetes.io': {
          namespace,
          node: { name: 'node-1', uid: randomUUID() },
          pod: { name: `${serviceAccount}-7d4b9c6f5-x2kqp`, uid: randomUUID() },
          serviceaccount: { name: serviceAccount, uid: randomUUID() }
        },
        ...options.claims
      }
    })
  }

  /** A GitHub Actions OIDC token: `sub` `repo:<owner>/<repo>:ref:<ref>` and the job's claims. */
  function githubActionsToken (repository: string, ref: string, audience: string, options: MintOptions = {}): Promise<string> {
    return mint({
      expiresIn: 300,
      ...options,
      header: { typ: 'JWT', x5t: 'dGVzdA', ...options.header },
      claims: {
        aud: audience,
        sub: `repo:${repository}:ref:${ref}`,
        jti: randomUUID(),
        ref,
        repository,
        repository_owner: repository.split('/')[0],
        workflow: 'deploy',
        event_name: 'push',
        run_id: '6228913412',
        job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
        runner_environment: 'github-hosted',
        ...options.claims
      }
    })
  }

  /** The issuer signs with a new key from now on, and publishes only it (`keepOld`: both, as a careful rotation does). */
  async function rotate (keepOld = false): Promise<void> {
    key = await newKey(alg)
    published = keepOld ? [...published, key.jwk] : [key.jwk]
    await Promise.resolve()
  }

  return {
    issuer,
    jwksUri: `${issuer}/openid/v1/jwks`,
    /** The JWKS as a file would hold it. */
    jwks: () => ({ keys: published }),
    jwksRequests: () => jwksRequests,
    mint,
    kubernetesToken,
    githubActionsToken,
    rotate,
    /** A key of the same algorithm the issuer never published. */
    strangerKey: () => newKey(alg),
    start,
    stop
  }
}

export type WorkloadIssuer = Awaited<ReturnType<typeof startWorkloadIssuer>>

/**
 * A SPIFFE trust domain's signer, as SPIRE's: JWT-SVIDs with `sub` a SPIFFE ID, `aud`, `exp`, `iat` and no
 * `iss` or `jti`; its bundle marks keys `use: "jwt-svid"` and leaves `alg` out (SPIFFE bundle format).
 */
export async function spiffeTrustDomain (trustDomain: string, alg: WorkloadAlgorithm = 'ES256') {
  const key = await newKey(alg)
  const { alg: _alg, use: _use, ...bare } = key.jwk
  return {
    trustDomain: `spiffe://${trustDomain}`,
    bundle: () => ({ keys: [{ ...bare, use: 'jwt-svid' }], spiffe_sequence: 1 }),
    async svid (path: string, audience: string | string[], expiresIn = 300, claims: Record<string, unknown> = {}): Promise<string> {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ sub: `spiffe://${trustDomain}${path}`, aud: audience, iat: now, exp: now + expiresIn, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey)
    }
  }
}
