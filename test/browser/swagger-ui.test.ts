import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { build, createUser, type TestUser } from '../helper.js'
import { launchChromium, watchPageErrors } from './chromium.js'

const WAIT = { timeout: 15_000 }

const browser: Browser = await launchChromium()
t.teardown(() => browser.close())

interface Docs {
  app: FastifyInstance
  page: Page
  user: TestUser
  /** Errors the page logged or threw; a working page logs none. */
  errors: string[]
}

/** A real Tollgate on an ephemeral loopback port with one user, and a fresh browser profile. */
async function openDocs (t: Test, host = '127.0.0.1'): Promise<Docs> {
  const app = await build(t)
  const user = await createUser(app, 'alice', ['reader'])
  const address = new URL(await app.listen({ host: '127.0.0.1', port: 0 }))
  const base = `http://${host}:${address.port}`

  const context = await browser.newContext()
  const page = await context.newPage()
  const errors = watchPageErrors(page)
  t.teardown(async () => {
    // A failing run leaves a picture of what the person would have seen.
    if (!t.passing()) {
      const file = join(mkdtempSync(join(tmpdir(), 'tollgate-swagger-')), 'failure.png')
      await page.screenshot({ path: file, fullPage: true }).then(() => t.comment(`screenshot: ${file}`), () => {})
    }
    await context.close()
  })

  const response = await page.goto(`${base}/docs`)
  // Over plain http this directive would send the browser to an https port nobody listens on.
  t.notMatch(await response?.headerValue('content-security-policy'), /upgrade-insecure-requests/, 'the docs page stays on http')
  await page.locator('.auth-wrapper .authorize').waitFor(WAIT)
  return { app, page, user, errors }
}

/** Opens the Authorize dialog and returns the section of one security scheme. */
async function authorizeSection (page: Page, scheme: string) {
  await page.locator('.auth-wrapper .authorize').click()
  const dialog = page.locator('.dialog-ux .modal-ux')
  await dialog.waitFor(WAIT)
  return dialog.locator('.auth-container').filter({ has: page.locator('h4', { hasText: scheme }) })
}

/** Expands GET /users/me, runs it from the page and returns what the page shows. */
async function executeUsersMe (t: Test, page: Page) {
  const operation = page.locator('.opblock-get').filter({ has: page.locator('[data-path="/users/me"]') })
  await operation.locator('.opblock-summary').click()
  // `tryItOutEnabled` opens every operation ready to run: its button offers to cancel, not to try it out.
  await operation.locator('.try-out__btn', { hasText: 'Cancel' }).waitFor(WAIT)

  const [response] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/users/me', WAIT),
    operation.locator('button.execute').click()
  ])
  t.match(await response.request().headerValue('authorization'), /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, 'the page sends the token as a Bearer JWT')

  const shown = operation.locator('.live-responses-table .response').first()
  await shown.waitFor(WAIT)
  return {
    status: (await shown.locator('.response-col_status').textContent())?.trim(),
    body: await shown.locator('.response-col_description pre').first().textContent() ?? ''
  }
}

t.test('a person signs in through the OAuth2 password flow and calls GET /users/me', async (t) => {
  const { page, user, errors } = await openDocs(t)

  // The oauth2 scheme has two flows, each its own section: the password one is for people.
  const oauth2 = await authorizeSection(page, 'OAuth2, password')
  await oauth2.locator('#oauth_username').fill(user.username)
  await oauth2.locator('#oauth_password').fill(user.password)
  const [tokenResponse] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/token', WAIT),
    oauth2.locator('button.authorize').click()
  ])
  t.equal(tokenResponse.status(), 200, 'the token endpoint accepts what Swagger UI posts')
  await oauth2.locator('button', { hasText: 'Logout' }).waitFor(WAIT)
  await oauth2.locator('button.btn-done').click()
  await page.locator('.dialog-ux').waitFor({ ...WAIT, state: 'detached' })

  const shown = await executeUsersMe(t, page)
  t.equal(shown.status, '200', 'the page shows status 200')
  t.match(shown.body, `"username": "${user.username}"`, 'the page shows the signed-in user')

  // persistAuthorization: a reload keeps the person signed in.
  await page.reload()
  await page.locator('.auth-wrapper .authorize.locked').waitFor(WAIT)
  t.same(errors, [], 'the page logs no errors (no CSP violations)')
})

t.test('a person pastes an access token into bearerAuth and calls GET /users/me', async (t) => {
  // Through "localhost" rather than 127.0.0.1: the page must work under either name.
  const { app, page, user, errors } = await openDocs(t, 'localhost')
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })
  t.equal(login.statusCode, 200, 'POST /auth/login gives a token')
  const token: string = login.json().access_token

  const bearerAuth = await authorizeSection(page, 'bearerAuth')
  await bearerAuth.locator('#auth-bearer-value').fill(token)
  await bearerAuth.locator('button.authorize').click()
  await bearerAuth.locator('button', { hasText: 'Logout' }).waitFor(WAIT)
  await bearerAuth.locator('button.btn-done').click()
  await page.locator('.dialog-ux').waitFor({ ...WAIT, state: 'detached' })

  const shown = await executeUsersMe(t, page)
  t.equal(shown.status, '200', 'the page shows status 200')
  t.match(shown.body, `"username": "${user.username}"`, 'the page shows the signed-in user')
  t.same(errors, [], 'the page logs no errors (no CSP violations)')
})
