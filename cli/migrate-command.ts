import type { Command } from './command.js'

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Bring the database schema up to date (the server also does this when it starts)',
  async run ({ io, openCore }) {
    // Building the app migrates the store to the latest schema.
    await openCore()
    io.stdout.write('The database schema is up to date.\n')
  }
}
