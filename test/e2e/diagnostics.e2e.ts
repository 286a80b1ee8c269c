// Through the real UI: warnings in the Problems panel, a quick fix with Ctrl+., and a hover.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newWorkbenchContext } from '../harness/browser';
import { startCodeServer, type RunningCodeServer } from '../harness/codeServer';
import { keepForReadme, registerOpenPage, saveScreenshot } from '../harness/workbenchRegistry';

const workspace = 'test/fixtures/workspaces/e2e-diagnostics';
const uiTimeoutMs = 30_000;

describe('diagnostics in the workbench', function () {
  this.timeout(180_000);
  let server: RunningCodeServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let unregister: () => void;

  before(async () => {
    server = await startCodeServer({
      workspace,
      label: 'e2e-diagnostics',
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
    });
    browser = await launchChromium();
    context = await newWorkbenchContext(browser, new URL(server.url).origin);
    page = await context.newPage();
    unregister = registerOpenPage(page);
    await page.goto(server.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: uiTimeoutMs });
    // Open the pipeline from the Explorer (typing into Quick Open right after load is unreliable).
    await page.locator('.explorer-folders-view').getByText('.gitlab-ci.yml', { exact: true }).click({ timeout: uiTimeoutMs });
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: uiTimeoutMs });
  });

  after(async () => {
    unregister?.();
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  const problemRows = () => page.locator('.markers-panel .monaco-list-row');

  it('shows a warning per uncovered private image in the Problems panel, on the right lines', async () => {
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: uiTimeoutMs });
    await page.keyboard.press('Control+Shift+M');
    await problemRows().filter({ hasText: 'Ln 16' }).first().waitFor({ timeout: uiTimeoutMs });
    const rows = await problemRows().allInnerTexts();
    const text = rows.join('\n');
    assert.match(text, /Ln 8, Col 10/, text);
    assert.match(text, /Ln 16, Col 13/, text);
    assert.doesNotMatch(text, /Ln 14,/, 'node:22 is on Docker Hub, a public registry');
    assert.match(text, /GitLab CI Auth/);
    const screenshot = await saveScreenshot(page, 'diagnostics-editor-and-problems');
    assert.ok(fs.existsSync(screenshot) && fs.statSync(screenshot).size > 0);
  });

  it('hovering the image explains what the runner looks up and that nothing covers it', async () => {
    await page.locator('.monaco-editor .view-line').filter({ hasText: 'private.example.org' }).getByText('private.example.org', { exact: false }).hover();
    const hover = page.locator('.monaco-hover').filter({ hasText: 'No credentials cover this registry' });
    await hover.waitFor({ timeout: uiTimeoutMs });
    const text = await hover.innerText();
    assert.match(text, /private\.example\.org:5000\/postgres/);
    keepForReadme(await saveScreenshot(page, 'diagnostics-hover'), 'screenshot-hover');
    await page.keyboard.press('Escape');
  });

  it('applies "Ignore on this line" with Ctrl+. and the warning goes', async () => {
    // Its own state, whatever ran before: the Problems panel open with the warning of line 16 in it.
    if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
    await problemRows().filter({ hasText: 'Ln 16' }).first().waitFor({ timeout: uiTimeoutMs });
    const image = page.locator('.monaco-editor .view-line').filter({ hasText: 'private.example.org' }).getByText('private.example.org', { exact: false });
    const fix = page.locator('.action-widget .monaco-list-row.action', { hasText: 'Ignore missing-credentials on this line' }).first();
    // Ctrl+. on the image until the menu lists the fix: a request that reaches the extension host before its check of
    // the file is answered "No code actions available", and a busy machine makes that window longer.
    const deadline = Date.now() + uiTimeoutMs;
    for (;;) {
      await image.click();
      await page.keyboard.press('Control+.');
      if (
        await fix.waitFor({ timeout: 5_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
      const offered = await page.locator('.action-widget .monaco-list-row.action .title').allTextContents();
      if (Date.now() > deadline) throw new Error(`Ctrl+. never offered the fix; offered: ${offered.join(' | ') || 'none'}`);
      await page.keyboard.press('Escape');
    }
    keepForReadme(await saveScreenshot(page, 'diagnostics-quick-fix-menu'), 'screenshot-diagnostics');
    await fix.click();
    await page.locator('.monaco-editor .view-line').filter({ hasText: 'gitlab-ci-auth-ignore missing-credentials' }).waitFor({ timeout: uiTimeoutMs });
    await problemRows().filter({ hasText: 'Ln 16' }).waitFor({ state: 'detached', timeout: uiTimeoutMs });
    const text = (await problemRows().allInnerTexts()).join('\n');
    assert.match(text, /Ln 8, Col 10/, 'the other warning must stay');
    await saveScreenshot(page, 'diagnostics-after-quick-fix');
  });
});
