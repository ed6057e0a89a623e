import { userInfo } from 'node:os'
import t from 'tap'
import { operator } from '../../cli/audit-log.js'

t.test('the operator is the operating-system account running the command', async (t) => {
  t.equal(operator(), `cli:${userInfo().username}`)
})

t.test('an account without a name (no passwd entry, as in some containers) is named by its uid', async (t) => {
  const { operator: unnamed } = await t.mockImport<typeof import('../../cli/audit-log.js')>('../../cli/audit-log.js', {
    'node:os': { userInfo: () => { throw new Error('ENOENT: no such file or directory, uv_os_get_passwd') } }
  })
  t.equal(unnamed(), `cli:uid-${process.getuid?.()}`)
})
