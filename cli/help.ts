import type { Command } from './command.js'

const usageOf = (command: Command): string => `tollgate ${command.name}${command.synopsis === undefined ? '' : ` ${command.synopsis}`}`

/** `text` in lines of at most `columns` characters, broken between words, the first after `first` and the others after `rest`. */
export function wrap (text: string, first: string, rest: string, columns: number): string[] {
  const lines: string[] = []
  let line = first
  for (const word of text.split(' ')) {
    const start = line === first || line === rest
    if (!start && line.length + 1 + word.length > columns) {
      lines.push(line)
      line = rest + word
    } else {
      line += (start ? '' : ' ') + word
    }
  }
  lines.push(line)
  return lines
}

/** The summary column needs this much room beside the usages, or each summary goes under its usage. */
const MIN_SUMMARY_WIDTH = 30

/**
 * Every command with its summary, aligned, wrapped to the terminal's width (80 columns when it is not a
 * terminal); the same text for `tollgate --help` and `tollgate help`. Each command's first line starts
 * with `  tollgate <command>`.
 */
export function renderHelp (commands: Command[], columns = process.stdout.columns ?? 80): string {
  const usages = commands.map(usageOf)
  const width = Math.max(...usages.map((usage) => usage.length))
  const beside = 2 + width + 2 + MIN_SUMMARY_WIDTH <= columns
  const lines = commands.flatMap((command, i) => beside
    ? wrap(command.summary, `  ${usages[i]!.padEnd(width)}  `, ' '.repeat(width + 4), columns)
    : [...wrap(usages[i]!, '  ', '      ', columns), ...wrap(command.summary, '      ', '      ', columns)])
  return [
    'Usage: tollgate <command> [arguments]',
    '',
    ...lines,
    '',
    ...wrap('Add --help to a command for its usage alone. Commands that open the store read the same variables as ' +
      'the server (the environment, then ./.env): DATABASE_URL, JWT_SECRET and the rest.', '', '', columns),
    ''
  ].join('\n')
}

export function renderCommandHelp (command: Command, columns = process.stdout.columns ?? 80): string {
  return [...wrap(usageOf(command), 'Usage: ', '    ', columns), ...wrap(command.summary, '  ', '  ', columns), ''].join('\n')
}
