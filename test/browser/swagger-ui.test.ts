import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { build, createUser, type TestUser } from '../helper.js'
import { freePort } from '../support/free-port.js'
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

/**
 * A real Tollgate on a free loopback port with one user, and a fresh browser profile. PUBLIC_URL is where
 * it listens on 127.0.0.1: the docs' redirect URI for the authorization code flow is registered there.
 */
async function openDocs (t: Test, host = '127.0.0.1'): Promise<Docs> {
  const port = await freePort()
  const app = await build(t, { PUBLIC_URL: `http://127.0.0.1:${port}` })
  const user = await createUser(app, 'alice', ['reader'])
  await app.listen({ host: '127.0.0.1', port })
  const base = `http://${host}:${port}`

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

/** Signs in through the oauth2 scheme's password flow, as a person would, and closes the dialog. */
async function signInWithPassword (t: Test, page: Page, username: string, password: string): Promise<void> {
  // The oauth2 scheme has two flows, each its own section: the password one is for people.
  const oauth2 = await authorizeSection(page, 'OAuth2, password')
  await oauth2.locator('#oauth_username').fill(username)
  await oauth2.locator('#oauth_password').fill(password)
  const [tokenResponse] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/token', WAIT),
    oauth2.locator('button.authorize').click()
  ])
  t.equal(tokenResponse.status(), 200, 'the token endpoint accepts what Swagger UI posts')
  await oauth2.locator('button', { hasText: 'Logout' }).waitFor(WAIT)
  await oauth2.locator('button.btn-done').click()
  await page.locator('.dialog-ux').waitFor({ ...WAIT, state: 'detached' })
}

/** Expands an operation, which `tryItOutEnabled` opens ready to run (its button offers to cancel). */
async function openOperation (page: Page, method: 'get' | 'post', path: string) {
  const operation = page.locator(`.opblock-${method}`).filter({ has: page.locator(`[data-path="${path}"]`) })
  await operation.locator('.opblock-summary').click()
  await operation.locator('.try-out__btn', { hasText: 'Cancel' }).waitFor(WAIT)
  return operation
}

/** Expands GET /users/me, runs it from the page and returns what the page shows. */
async function executeUsersMe (t: Test, page: Page) {
  const operation = await openOperation(page, 'get', '/users/me')

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
  await signInWithPassword(t, page, user.username, user.password)

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

t.test('a person changes their password through the page, then signs in with the new one', async (t) => {
  const { page, user, errors } = await openDocs(t)
  await signInWithPassword(t, page, user.username, user.password)
  const newPassword = 'a kettle of falcons at noon'

  const operation = await openOperation(page, 'post', '/users/me/password')
  await operation.locator('textarea.body-param__text').fill(JSON.stringify({ current_password: user.password, new_password: newPassword }))
  const [response] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/users/me/password', WAIT),
    operation.locator('button.execute').click()
  ])
  t.equal(response.status(), 204, 'the password is changed')
  const shown = operation.locator('.live-responses-table .response').first()
  await shown.waitFor(WAIT)
  t.equal((await shown.locator('.response-col_status').textContent())?.trim(), '204', 'the page shows status 204')

  // Signed out of the page, the old password no longer works and the new one does.
  const oauth2 = await authorizeSection(page, 'OAuth2, password')
  await oauth2.locator('button', { hasText: 'Logout' }).click()
  await oauth2.locator('#oauth_username').fill(user.username)
  await oauth2.locator('#oauth_password').fill(user.password)
  const [refused] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/token', WAIT),
    oauth2.locator('button.authorize').click()
  ])
  t.equal(refused.status(), 400, 'the old password is refused (invalid_grant)')
  await page.locator('.dialog-ux .modal-ux .close-modal').click()
  await page.locator('.dialog-ux').waitFor({ ...WAIT, state: 'detached' })

  await signInWithPassword(t, page, user.username, newPassword)
  const me = await executeUsersMe(t, page)
  t.equal(me.status, '200', 'signed in with the new password, GET /users/me works')
  t.match(me.body, `"username": "${user.username}"`)
  // The refused sign-in is a console error of Swagger UI's own; nothing else may be.
  t.same(errors.filter((error) => !/status of 400/.test(error)), [], 'the page logs no other errors')
})

/**
 * Opens Tollgate's sign-in page from the Authorize dialog's authorization code flow (Swagger UI opens it in a
 * window of its own), and returns that window and the dialog's section.
 */
async function openSignInPage (t: Test, page: Page) {
  const section = await authorizeSection(page, 'OAuth2, authorizationCode')
  t.equal(await section.locator('input#client_id_authorizationCode').inputValue(), 'tollgate-docs', 'the docs\' own public client, filled in')
  const [popup] = await Promise.all([page.waitForEvent('popup', WAIT), section.locator('button.authorize').click()])
  const popupErrors = watchPageErrors(popup)
  await popup.waitForLoadState('load', WAIT)
  const url = new URL(popup.url())
  t.equal(url.pathname, '/auth/authorize', 'the sign-in page is Tollgate\'s own')
  t.equal(url.searchParams.get('code_challenge_method'), 'S256', 'with PKCE')
  t.equal(await popup.title(), 'Sign in · Tollgate')
  return { popup, section, popupErrors }
}

/** After the sign-in window posts: the code comes back to the docs page, which exchanges it. */
async function finishAuthorization (t: Test, page: Page, section: Awaited<ReturnType<typeof openSignInPage>>['section'], submit: () => Promise<void>) {
  const [tokenResponse] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/token', WAIT),
    submit()
  ])
  t.equal(tokenResponse.status(), 200, 'the code is exchanged for tokens')
  t.match(tokenResponse.request().postData(), /grant_type=authorization_code&.*code_verifier=/, 'with the PKCE verifier')
  await section.locator('button', { hasText: 'Logout' }).waitFor(WAIT)
  await section.locator('button.btn-done').click()
  await page.locator('.dialog-ux').waitFor({ ...WAIT, state: 'detached' })
}

t.test('a person signs in through Authorize with the authorization code flow on Tollgate\'s page, and calls GET /users/me', async (t) => {
  const { page, user, errors } = await openDocs(t)
  const { popup, section, popupErrors } = await openSignInPage(t, page)
  await popup.getByLabel('Username').fill(user.username)
  await popup.getByLabel('Password').fill(user.password)
  await finishAuthorization(t, page, section, () => popup.getByRole('button', { name: 'Sign in' }).click())

  const shown = await executeUsersMe(t, page)
  t.equal(shown.status, '200', 'the page shows status 200')
  t.match(shown.body, `"username": "${user.username}"`, 'the page shows the signed-in user')
  t.same(errors, [], 'the docs page logs no errors')
  t.same(popupErrors, [], 'the sign-in page logs no errors (no CSP violations)')
})

t.test('the sign-in page works with the keyboard alone, and says when a password is wrong', async (t) => {
  const { page, user, errors } = await openDocs(t)
  const { popup, section, popupErrors } = await openSignInPage(t, page)
  const focused = async (): Promise<string> => popup.evaluate('document.activeElement?.id ?? ""')
  t.equal(await focused(), 'username', 'the username field has the focus')

  await popup.keyboard.type(user.username)
  await popup.keyboard.press('Tab')
  t.equal(await focused(), 'password', 'Tab goes to the password')
  await popup.keyboard.type('not the password')
  await popup.keyboard.press('Enter')
  await popup.getByRole('alert').waitFor(WAIT)
  t.equal((await popup.getByRole('alert').textContent())?.trim(), 'Wrong username or password.')
  t.equal(await popup.getByLabel('Username').inputValue(), user.username, 'the username stays')
  t.equal(await focused(), 'password', 'and the focus is back on the password')

  await finishAuthorization(t, page, section, async () => {
    await popup.keyboard.type(user.password)
    await popup.keyboard.press('Tab')
    t.equal(await focused(), '', 'Tab reaches the button')
    await popup.keyboard.press('Enter')
  })
  t.equal((await executeUsersMe(t, page)).status, '200')
  t.same(errors, [], 'the docs page logs no errors')
  // The wrong password's page is a 400: Chromium logs that status, nothing else may be logged.
  t.same(popupErrors.filter((error) => !/status of 400/.test(error)), [], 'the sign-in page logs no other errors')
})
