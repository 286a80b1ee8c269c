/** Open e2e workbenches, so a failing test can be captured on screen before its workbench is closed. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { screenshotsDir } from './paths';

const openPages = new Set<Page>();

export function registerOpenPage(page: Page): () => void {
  openPages.add(page);
  return () => openPages.delete(page);
}

/** Saves a full-window screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const file = path.join(screenshotsDir, `${screenshotName(name)}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * With UPDATE_README_SCREENSHOTS=1, copies a screenshot of this run to media/<name>.png, where README.md shows it:
 * the README's images are always taken from the e2e runs (`UPDATE_README_SCREENSHOTS=1 npm run test:e2e`).
 */
export function keepForReadme(screenshot: string, name: 'screenshot-diagnostics' | 'screenshot-hover' | 'screenshot-wizard'): void {
  if (process.env['UPDATE_README_SCREENSHOTS'] !== '1') return;
  fs.copyFileSync(screenshot, path.join(__dirname, '../../../media', `${name}.png`));
}

export async function screenshotOpenWorkbenches(name: string): Promise<void> {
  let index = 0;
  for (const page of openPages) {
    const suffix = openPages.size > 1 ? `-${++index}` : '';
    const file = await saveScreenshot(page, `${name}${suffix}`).catch(() => undefined);
    if (file) console.log(`      screenshot: ${path.relative(process.cwd(), file)}`);
  }
}

function screenshotName(name: string): string {
  return name
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);
}
