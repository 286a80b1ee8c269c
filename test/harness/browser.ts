/** Launches Debian's Chromium through playwright-core (which never downloads a browser) with the recipe's flags. */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { ensureChromium } from './install';
import { chromiumPath } from './paths';

export const viewport = { width: 1400, height: 900 } as const;

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A browser context for one workbench; clipboard access is granted so tests can read what a command copied. */
export async function newWorkbenchContext(browser: Browser, origin: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return context;
}
