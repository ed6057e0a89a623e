import { join } from 'node:path'
import { PassThrough, Readable, Writable } from 'node:stream'
import type { Test } from 'tap'
import type { CliIo } from '../../cli/command.js'
import { runCli } from '../../cli/main.js'
import type { Environment } from '../../src/config/environment.js'
import { testEnv } from '../helper.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** The test settings over a SQLite file in `dir`, so several command lines share one store. */
export const fileEnv = (dir: string): Environment => testEnv({ DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}` })

class Capture extends Writable {
  text = ''
  override _write (chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += String(chunk)
    callback()
  }
}

/**
 * Runs one command line in-process; `input` is standard input, a string or a stream such as a fake terminal.
 * `run` is the CLI to run, when a test loads it with some module replaced.
 */
export async function cli (argv: string[], env: Environment | undefined, input: string | CliIo['stdin'] = '', run = runCli): Promise<CliRun> {
  const stdout = new Capture()
  const stderr = new Capture()
  const stdin = typeof input === 'string' ? Readable.from(input === '' ? [] : [input]) : input
  const code = await run(argv, { stdin, stdout, stderr, ...(env === undefined ? {} : { env }) })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

/** A terminal whose user types `chunks` (raw mode: `\r` ends a line); records the raw-mode switches. */
export function fakeTerminal (...chunks: string[]): { stdin: CliIo['stdin'], rawModes: boolean[] } {
  const rawModes: boolean[] = []
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode (mode: boolean) {
      rawModes.push(mode)
      return stdin
    }
  })
  for (const chunk of chunks) stdin.write(chunk)
  return { stdin, rawModes }
}

/** Runs each command line, expecting it to fail with `code`, nothing on stdout and one line on stderr matching its reason. */
export async function expectFailures (t: Test, env: Environment, cases: Array<[string[], RegExp]>, code = 1): Promise<void> {
  for (const [argv, reason] of cases) {
    const run = await cli(argv, env)
    t.equal(run.code, code, argv.join(' '))
    t.equal(run.stdout, '', `${argv.join(' ')}: nothing on stdout`)
    t.ok(isOneErrorLine(run.stderr), `one line: ${JSON.stringify(run.stderr)}`)
    t.match(run.stderr, reason)
  }
}

/** Every failure is exactly one line on stderr, starting with `tollgate: `. */
export function isOneErrorLine (stderr: string): boolean {
  return /^tollgate: [^\n]+\n$/.test(stderr)
}
