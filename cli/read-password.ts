import { StringDecoder } from 'node:string_decoder'
import { cliError, type CliIo } from './command.js'
import { TollgateError } from '@tollgate/auth/errors'

/** More than any password the API accepts; a stream without a newline stops being read here. */
const MAX_LINE_BYTES = 64 * 1024

/**
 * The password for a new user: one line of standard input. On a terminal it is typed twice without
 * echo, since a typo nobody saw would lock the user out.
 */
export async function readPassword (io: CliIo, username: string): Promise<string> {
  if (io.stdin.isTTY === true && io.stdin.setRawMode !== undefined) {
    const terminal = { ...io, setRawMode: io.stdin.setRawMode.bind(io.stdin) }
    const [password, repeated] = await readHidden(terminal, [`Password for ${username}: `, 'Repeat it: '])
    if (password !== repeated) throw cliError('the two passwords differ')
    return password!
  }
  const line = await readLine(io.stdin)
  if (line === undefined) throw cliError('no password on standard input: pipe it in as one line')
  return line
}

/** The first line of a stream, without its line ending; undefined when the stream ends with nothing. */
export function readLine (input: CliIo['stdin']): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8')
    let text = ''
    const stop = () => {
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', onError)
      // Paused, standard input no longer keeps the process alive.
      input.pause()
    }
    const finish = (line: string | undefined) => {
      stop()
      resolve(line?.replace(/\r$/, ''))
    }
    function onData (chunk: Buffer | string) {
      text += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      const newline = text.indexOf('\n')
      if (newline !== -1) finish(text.slice(0, newline))
      else if (Buffer.byteLength(text) > MAX_LINE_BYTES) {
        stop()
        reject(cliError('the first line of standard input is too long to be a password'))
      }
    }
    function onEnd () {
      text += decoder.end()
      finish(text === '' ? undefined : text)
    }
    function onError (error: Error) {
      stop()
      reject(cliError(`cannot read standard input: ${error.message}`))
    }
    input.on('data', onData)
    input.on('end', onEnd)
    input.on('error', onError)
    input.resume()
  })
}

/**
 * Reads one line per prompt from a terminal in raw mode, so what is typed is not shown. All lines are read in
 * one go, so a paste of both lines at once is not lost between prompts.
 */
function readHidden (
  { stdin, stderr, setRawMode }: CliIo & { setRawMode: (mode: boolean) => unknown },
  prompts: string[]
): Promise<string[]> {
  const lines: string[] = []
  let typed: string[] = []
  stderr.write(prompts[0]!)
  setRawMode(true)
  return new Promise((resolve, reject) => {
    const finish = (error?: TollgateError) => {
      stdin.off('data', onData)
      setRawMode(false)
      stdin.pause()
      if (error === undefined) resolve(lines)
      else reject(error)
    }
    function onData (chunk: Buffer | string) {
      for (const char of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (char === '\u0003') {
          stderr.write('\n')
          return finish(new TollgateError('ERR_CANCELLED', 'cancelled'))
        }
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stderr.write('\n')
          lines.push(typed.join(''))
          typed = []
          if (lines.length === prompts.length) return finish()
          stderr.write(prompts[lines.length]!)
        } else if (char === '\u007f' || char === '\b') {
          typed.pop()
        } else if (char >= ' ') {
          typed.push(char)
        }
      }
    }
    stdin.on('data', onData)
    stdin.resume()
  })
}
