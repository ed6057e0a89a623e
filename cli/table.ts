import type { CliIo } from './command.js'

/** Length in characters, as the API's schema validation counts it (not UTF-16 units). */
export const length = (text: string): number => [...text].length

/** Left-aligned columns two spaces apart, a header first; no trailing spaces. */
export function printTable (io: CliIo, header: string[], rows: string[][]): void {
  const all = [header, ...rows]
  const widths = header.map((_, column) => Math.max(...all.map((row) => length(row[column]!))))
  for (const row of all) {
    io.stdout.write(`${row.map((cell, column) => cell + ' '.repeat(widths[column]! - length(cell))).join('  ').trimEnd()}\n`)
  }
}
