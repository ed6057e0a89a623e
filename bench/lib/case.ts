import type { Measurement } from './measure.js'
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

/** How long one measurement loads a case, and from how many connections. */
export interface LoadRun { connections: number, durationSeconds: number }

/** How a case other than a GET is loaded. */
export interface CaseLoad {
  /**
   * Makes one-use credentials for about `requests` requests before the measurement, and before the
   * server's CPU time is read, so making them is not counted as the case's cost.
   */
  prepare?: (requests: number) => Promise<void>
  run: (options: LoadRun) => Promise<Measurement>
}
