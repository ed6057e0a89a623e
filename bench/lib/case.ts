import type { BenchServer } from './processes.js'

/** One thing measured: a route of a server, loaded with a token (or none). */
export interface Case {
  id: string
  label: string
  server: BenchServer
  path: string
  token?: string
  /** Sent in turn, one a request, instead of `token`. */
  tokens?: string[]
  /** The status every answer should have (default: any 2xx). */
  expectStatus?: number
  baseline?: string
}

/** A target: case `a` at `wanted` times case `b` or better. */
export type Target = readonly [name: string, a: string, b: string, wanted: number]
