import { generateSecret } from '../src/config/environment.js'
import type { Command } from './command.js'

export const secretCommand: Command = {
  name: 'secret',
  summary: 'Print a new random 256-bit secret, for JWT_SECRET',
  async run ({ io }) {
    io.stdout.write(`${generateSecret()}\n`)
  }
}
