import t from 'tap'
import { TollgateError } from '@tollgate/auth/errors'
import { auditAccountChange, auditAccountRefusal } from '../../../src/http/account-audit.js'

function recorder () {
  const lines: Array<{ level: string, record: Record<string, unknown>, message: string }> = []
  const log = {
    info: (record: Record<string, unknown>, message: string) => { lines.push({ level: 'info', record, message }) },
    warn: (record: Record<string, unknown>, message: string) => { lines.push({ level: 'warn', record, message }) }
  }
  return { lines, log: log as unknown as Parameters<typeof auditAccountChange>[0] }
}

t.test('a change is logged at info, a refusal at warn with the error code as its reason', async (t) => {
  const { lines, log } = recorder()
  auditAccountChange(log, 'admin.user.delete', { by: 'admin-id', userId: 'user-id', username: 'alice' }, 'user deleted')
  auditAccountRefusal(log, 'user.password.change', { by: 'user-id', userId: 'user-id' }, new TollgateError('ERR_CURRENT_PASSWORD_WRONG', 'The current password is wrong'))
  auditAccountRefusal(log, 'user.password.change', { by: 'user-id', userId: 'user-id' }, new Error('connect ECONNREFUSED'))
  t.match(lines, [
    { level: 'info', record: { event: 'admin.user.delete', outcome: 'success', by: 'admin-id', userId: 'user-id', username: 'alice' }, message: 'user deleted' },
    { level: 'warn', record: { event: 'user.password.change', outcome: 'failure', reason: 'ERR_CURRENT_PASSWORD_WRONG' } },
    { level: 'warn', record: { reason: 'error' } }
  ])
  t.notMatch(JSON.stringify(lines), /ECONNREFUSED/, 'an unexpected error\'s message is left to the error log')
})
