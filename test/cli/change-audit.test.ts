import t from 'tap'
import { PASSWORD } from '../helper.js'
import { cli, fileEnv } from './run-cli.js'

/** The JSON lines a command wrote on standard error (the secret notes of `client add` are plain text). */
const auditLines = (stderr: string): Array<Record<string, unknown>> =>
  stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)

t.test('every command that changes a user or a client writes one audit line naming who, what and the change', async (t) => {
  const env = { ...fileEnv(t.testdir()), LOG_LEVEL: 'info' }
  const id = (await cli(['user', 'add', 'alice', '--roles', 'reader'], env, `${PASSWORD}\n`)).stdout.trim()
  const runs: Array<[string[], Record<string, unknown>]> = [
    [['user', 'roles', 'alice', 'reader,writer'], { event: 'admin.user.update', userId: id, username: 'alice', roles: ['reader', 'writer'] }],
    [['user', 'disable', 'alice'], { event: 'admin.user.update', userId: id, username: 'alice', disabled: true }],
    [['user', 'enable', 'alice'], { event: 'admin.user.update', userId: id, username: 'alice', disabled: false }],
    [['client', 'add', 'billing', '--scopes', 'users:read'], { event: 'admin.client.create', clientId: 'billing', scopes: ['users:read'], authentication: 'client_secret' }],
    [['client', 'update', 'billing', '--scopes', 'users:read,users:write', '--ttl', '300'], { event: 'admin.client.update', clientId: 'billing', scopes: ['users:read', 'users:write'], tokenTtl: 300 }],
    [['client', 'disable', 'billing'], { event: 'admin.client.update', clientId: 'billing', disabled: true }],
    [['client', 'enable', 'billing'], { event: 'admin.client.update', clientId: 'billing', disabled: false }],
    [['client', 'rotate-secret', 'billing'], { event: 'admin.client.credential', clientId: 'billing', authentication: 'client_secret' }]
  ]
  for (const [argv, expected] of runs) {
    const run = await cli(argv, env)
    t.equal(run.code, 0, run.stderr)
    const lines = auditLines(run.stderr)
    t.equal(lines.length, 1, `${argv.join(' ')}: one audit line`)
    t.match(lines[0], { ...expected, outcome: 'success', source: 'cli', by: /^cli:/ }, argv.join(' '))
    const secret = argv[1] === 'add' || argv[1] === 'rotate-secret' ? run.stdout.trim() : undefined
    if (secret !== undefined) t.notMatch(run.stderr, secret, 'never the secret')
  }
})
