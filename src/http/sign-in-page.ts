import { createHash } from 'node:crypto'

/** The page's only style, inline and allowed by its hash: no second request, no third-party asset. */
const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
main { width: min(22rem, 100% - 2rem); padding: 2rem; border: 1px solid GrayText; border-radius: .5rem; }
h1 { margin: 0 0 .25rem; font-size: 1.5rem; }
p { margin: 0 0 1rem; }
label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
input { box-sizing: border-box; width: 100%; padding: .5rem; font: inherit; border: 1px solid GrayText; border-radius: .25rem; }
button { margin-top: 1.5rem; width: 100%; padding: .6rem; font: inherit; font-weight: 600; border: 0; border-radius: .25rem; background: #1d4ed8; color: #fff; cursor: pointer; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.error { padding: .5rem .75rem; border-left: 4px solid #b91c1c; background: color-mix(in srgb, #b91c1c 12%, Canvas); }
`.trim()

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

/**
 * The page's policy: nothing but its own style, nothing may frame it, and its form may post only here
 * and (Chromium applies `form-action` to the redirect that answers a post) to the client's redirect URI.
 */
export function signInPolicy (redirectUri?: string): string {
  const target = redirectUri === undefined ? '' : ` ${new URL(redirectUri).origin}`
  return `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self'${target}; frame-ancestors 'none'; base-uri 'none'`
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escape = (text: string): string => text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character)

function page (title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)} · Tollgate</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}

export interface SignInForm {
  /** The sealed authorization request, posted back as it is. */
  request: string
  clientId: string
  username?: string
  /** The one message every failed attempt gets, or a throttling notice. */
  message?: string
}

/** The sign-in form: labelled fields a keyboard and a password manager understand, and no script. */
export function signInPage ({ request, clientId, username = '', message }: SignInForm): string {
  const alert = message === undefined ? '' : `<p class="error" role="alert" id="sign-in-error">${escape(message)}</p>\n`
  const described = message === undefined ? '' : ' aria-describedby="sign-in-error"'
  return page('Sign in', `<h1>Sign in</h1>
<p>to continue to <strong>${escape(clientId)}</strong></p>
${alert}<form method="post" action="authorize">
<input type="hidden" name="request" value="${escape(request)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${escape(username)}"${described}${username === '' ? ' autofocus' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${described}${username === '' ? '' : ' autofocus'}>
<button type="submit">Sign in</button>
</form>`)
}

/** What a person sees when a request cannot be answered at its redirect URI (RFC 6749 §4.1.2.1). */
export function errorPage (message: string): string {
  return page('Cannot sign in', `<h1>Cannot sign in</h1>
<p class="error" role="alert">${escape(message)}</p>
<p>Go back to the application you came from and start again.</p>`)
}
