import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

export const ROOT = join(import.meta.dirname, '..', '..')
export const DIST = join(ROOT, 'dist')

/**
 * Module hooks (`module.register`) run on a thread of their own: `load` sees every ES module and every
 * CommonJS module imported from one, and reports each URL to the main thread through a port.
 * CommonJS modules loaded by `require` inside CommonJS packages bypass the hooks on Node 20, so the
 * probe also reads the CommonJS cache.
 */
const HOOKS = `
let port
export function initialize (data) { port = data.port }
export async function load (url, context, nextLoad) {
  port.postMessage(url)
  return nextLoad(url, context)
}
`

const PROBE = `
import { createRequire, register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
import { setTimeout as sleep } from 'node:timers/promises'

const urls = new Set()
const { port1, port2 } = new MessageChannel()
port1.on('message', (url) => urls.add(url))
port1.unref()
register('./hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })

const started = performance.now()
await import(process.argv[2])
const milliseconds = performance.now() - started
// Each URL was posted before its module finished loading; wait until the last of them has arrived.
for (let seen = -1; seen !== urls.size;) {
  seen = urls.size
  await sleep(50)
}
const files = [...urls].filter((url) => url.startsWith('file:'))
files.push(...Object.keys(createRequire(import.meta.url).cache))
process.stdout.write(JSON.stringify({ files, milliseconds }))
`

export interface LoadedModules {
  /** Packages loaded, by name (`@scope/name` or `name`). */
  packages: Set<string>
  /** The project's own modules loaded (the server's build and the verifier package's), relative to the root. */
  own: Set<string>
  milliseconds: number
}

/** The package a file belongs to: what follows its last `node_modules/`. */
function packageOf (file: string): string | undefined {
  const at = file.lastIndexOf('/node_modules/')
  if (at < 0) return undefined
  const [scope, name] = file.slice(at + '/node_modules/'.length).split('/')
  return scope?.startsWith('@') === true ? `${scope}/${name ?? ''}` : scope
}

/** Imports `entry` (a file of `dist/`) in a fresh Node process and reports every module that loaded. */
export async function modulesLoadedBy (dir: string, entry: string): Promise<LoadedModules> {
  const target = join(DIST, entry)
  if (!existsSync(target)) throw new Error(`${target} is missing: run \`npm run build\` first (\`npm test\` builds before running tap)`)
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS)
  writeFileSync(join(dir, 'probe.mjs'), PROBE)
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'probe.mjs'), pathToFileURL(target).href], { cwd: dir })
  const { files, milliseconds } = JSON.parse(stdout) as { files: string[], milliseconds: number }
  const paths = files.map((file) => file.startsWith('file:') ? fileURLToPath(file) : file)
  return {
    packages: new Set(paths.map(packageOf).filter((name) => name !== undefined)),
    own: new Set(paths.filter((file) => file.startsWith(ROOT + '/') && !file.includes('/node_modules/')).map((file) => relative(ROOT, file))),
    milliseconds
  }
}
