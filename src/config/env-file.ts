import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'

/** A value as `.env` writes it: bare when nothing in it needs quoting (node:util's parseEnv reads both). */
function envValue (value: string): string {
  return /^[\w./,:@+-]*$/.test(value) ? value : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

const assignmentOf = (line: string): string | undefined => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1]

/**
 * Sets variables in a `.env` file: each one's line is replaced where it stands (a repeated one is
 * dropped), new ones are appended, and every other line, comments included, stays as it was. The file
 * is replaced in one rename, keeping its mode, so a reader never sees half of it.
 */
export function updateEnvFile (file: string, values: Record<string, string>): void {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const lines = before === '' ? [] : before.replace(/\n$/, '').split('\n')
  const written = new Set<string>()
  const after: string[] = []
  for (const line of lines) {
    const name = assignmentOf(line)
    if (name === undefined || !(name in values)) after.push(line)
    else if (!written.has(name)) {
      after.push(`${name}=${envValue(values[name] ?? '')}`)
      written.add(name)
    }
  }
  for (const [name, value] of Object.entries(values)) if (!written.has(name)) after.push(`${name}=${envValue(value)}`)
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${after.join('\n')}\n`, { mode })
  chmodSync(temporary, mode)
  renameSync(temporary, file)
}
