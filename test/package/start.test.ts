import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { spawnTollgate } from '../support/processes.js'
import { DIST, ROOT } from './loaded-modules.js'

const run = promisify(execFile)

/** Every file of the build with its modification time. */
function snapshot (): Map<string, number> {
  const files = readdirSync(DIST, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
  return new Map(files.map((entry) => {
    const path = join(entry.parentPath, entry.name)
    return [path, statSync(path).mtimeMs]
  }))
}

t.test('npm start never deletes or rewrites the build a running instance uses', async (t) => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.match(scripts.start, /^npm run compile && node dist\/server\.js$/, 'start compiles incrementally, then runs the build')
  t.notMatch(scripts.compile, /rmSync|rm -rf/, 'and compiling deletes nothing')

  const cwd = t.testdir({})
  const first = spawnTollgate(t, { cwd, env: { JWT_SECRET: 'start-test-secret-of-at-least-32-bytes', DATABASE_URL: `sqlite:${cwd}/tollgate.db` } })
  const url = await first.listening()
  const before = snapshot()
  // What a second `npm start` from the same folder does before it runs the server.
  await run('npm', ['run', 'compile'], { cwd: ROOT })
  t.same(snapshot(), before, 'with the sources unchanged, not one file of dist/ is written')
  t.equal((await fetch(`${url}/health`)).status, 200, 'the first instance goes on serving')
  const second = spawnTollgate(t, { cwd, env: { JWT_SECRET: 'start-test-secret-of-at-least-32-bytes', DATABASE_URL: `sqlite:${cwd}/tollgate.db` } })
  t.equal((await fetch(`${await second.listening()}/health`)).status, 200, 'a second instance starts from the same build')
})
