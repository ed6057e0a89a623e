import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Where Debian installs it; `npm test` installs it first when it is missing (scripts/ensure-chromium.js). */
export const CHROMIUM_PATH = '/usr/bin/chromium'

// The machines that run these tests have no outside network: without these flags Chromium keeps
// trying to reach its update, sync and QUIC services and floods the log with refused connections.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** Starts Debian's Chromium; a missing browser is a failure, never a skipped test. */
export async function launchChromium (): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: \`node scripts/ensure-chromium.js\` (run by npm test) installs Debian's chromium`)
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS })
}

/**
 * Collects what a person would see in the developer console as broken: uncaught errors, console
 * errors and Content-Security-Policy violations (Chromium reports those as console errors).
 */
export function watchPageErrors (page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  return errors
}
