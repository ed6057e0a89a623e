import type { Command } from './command.js'

const usageOf = (command: Command): string => `tollgate ${command.name}${command.synopsis === undefined ? '' : ` ${command.synopsis}`}`

/** One line per command, aligned; the same text for `tollgate --help` and `tollgate help`. */
export function renderHelp (commands: Command[]): string {
  const usages = commands.map(usageOf)
  const width = Math.max(...usages.map((usage) => usage.length))
  const lines = commands.map((command, i) => `  ${usages[i]!.padEnd(width)}  ${command.summary}`)
  return [
    'Usage: tollgate <command> [arguments]',
    '',
    ...lines,
    '',
    'Add --help to a command for its usage alone. Commands that open the store read the same variables as',
    'the server (the environment, then ./.env): DATABASE_URL, JWT_SECRET and the rest.',
    ''
  ].join('\n')
}

export function renderCommandHelp (command: Command): string {
  return `Usage: ${usageOf(command)}\n  ${command.summary}\n`
}
