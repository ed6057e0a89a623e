import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ROOT } from '../package/loaded-modules.js'

const run = promisify(execFile)

/** What `npm pack --workspace @tollgate/auth` wrote into `destination`: the tarball's name and the paths it holds. */
export async function packVerifier (destination: string): Promise<{ filename: string, paths: string[] }> {
  const { stdout } = await run('npm', ['pack', '--workspace', '@tollgate/auth', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: ROOT })
  const [{ filename, files }] = JSON.parse(stdout) as [{ filename: string, files: Array<{ path: string }> }]
  return { filename, paths: files.map((file) => file.path) }
}

/** `npm install` in `cwd`, from the registry or npm's cache when it holds the packages: what a user gets. */
export async function installDependencies (cwd: string): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'], { cwd })
}
