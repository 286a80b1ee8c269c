/**
 * Page helpers for e2e scenarios: drive code-server's workbench in Chromium the way a user does (Explorer, command
 * palette, quick input, Problems panel, quick fixes, hovers) and read what the user would see.
 * Every wait is on UI state; there are no fixed sleeps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, newWorkbenchContext } from '../harness/browser';
import { startCodeServer, type CodeServerOptions, type RunningCodeServer } from '../harness/codeServer';
import { registerOpenPage, saveScreenshot } from '../harness/workbenchRegistry';
import { eventually } from '../support/eventually';

/** `extensions` replaces the packaged extension, e.g. by its browser-only variant (browserOnlyExtension.ts). */
export type WorkbenchOptions = CodeServerOptions;

export interface Problem {
  readonly severity: 'error' | 'warning' | 'info' | 'unknown';
  readonly message: string;
  /** The diagnostic's source and code, as shown after the message. */
  readonly source: string;
  readonly code: string;
  /** Name of the file the problem is listed under. */
  readonly file: string;
  /** 1-based, as the Problems panel shows it. */
  readonly line: number;
  readonly column: number;
  /** The raw accessible label of the row, for assertions the fields above do not cover. */
  readonly label: string;
}

export interface QuickInputState {
  readonly title: string;
  /** The prompt or the validation message under the input box, as shown. */
  readonly message: string;
  /** 'error' | 'warning' | 'info' when the input box shows a validation severity, otherwise undefined. */
  readonly validation: 'error' | 'warning' | 'info' | undefined;
  readonly placeholder: string;
  readonly value: string;
  /** Labels of the visible items (quick picks). */
  readonly items: readonly string[];
}

/** An upper bound on waiting for one UI state (never a delay): generous, as CI shares its cores with other jobs. */
const uiTimeoutMs = 60_000;

// The few browser globals used inside page.evaluate(); the project compiles without the DOM lib.
declare const navigator: { readonly clipboard: { readText(): Promise<string> } };
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: unknown, options: object): void;
  disconnect(): void;
}
interface StyledElement {
  readonly style: { readonly top: string };
}

/** Starts code-server on a private copy of `options.workspace` and opens it in Chromium, ready to use. */
export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const server = await startCodeServer({ ...options, label: options.label ?? `e2e-${path.basename(options.workspace)}` });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await newWorkbenchContext(browser, new URL(server.url).origin);
    const page = await context.newPage();
    page.setDefaultTimeout(uiTimeoutMs);
    const workbench = new Workbench(server, browser, context, page);
    await workbench.waitUntilReady();
    return workbench;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

/**
 * For a suite whose tests must not see each other's stored state: every test but the first (which gets the window the
 * suite opened) starts in a {@link Workbench.freshWindow}. Call inside `describe`, before the suite's own `beforeEach`.
 */
export function freshWindowForEachTest(workbench: () => Workbench): void {
  let used = false;
  beforeEach(async () => {
    if (used) await workbench().freshWindow();
    used = true;
  });
}

export class Workbench {
  private unregister: () => void;
  private screenshotCount = 0;

  constructor(
    readonly server: RunningCodeServer,
    private readonly browser: Browser,
    /** Replaced by {@link freshWindow}. */
    public context: BrowserContext,
    public page: Page,
  ) {
    this.unregister = registerOpenPage(page);
  }

  /** Loads the workbench and waits until the Explorer lists the workspace. */
  async waitUntilReady(): Promise<void> {
    await this.page.goto(this.server.url);
    await this.page.locator('.monaco-workbench').waitFor();
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
  }

  /**
   * Moves this workbench to a new browser window on the same code-server and workspace, with empty browser storage: no
   * SecretStorage, globalState or workspaceState of earlier tests (code-server keeps them in the browser), and a new
   * extension host. The old window is closed.
   */
  async freshWindow(): Promise<void> {
    const context = await newWorkbenchContext(this.browser, new URL(this.server.url).origin);
    const page = await context.newPage();
    page.setDefaultTimeout(uiTimeoutMs);
    this.unregister();
    await this.context.close();
    this.context = context;
    this.page = page;
    this.unregister = registerOpenPage(page);
    await this.waitUntilReady();
  }

  /**
   * Reloads the window as a user does (Developer: Reload Window): unlike a page reload, the workbench shuts down first,
   * so what was just written to globalState is saved before the new window reads it.
   */
  async reloadWindow(): Promise<void> {
    await Promise.all([this.page.waitForNavigation({ waitUntil: 'load' }), this.runCommand('Developer: Reload Window')]);
    await this.page.locator('.monaco-workbench').waitFor();
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
  }

  /** Absolute path of a file in this workbench's private copy of the workspace. */
  workspaceFile(relativePath: string): string {
    return path.join(this.server.workspaceDir, relativePath);
  }

  /** The file as saved on disk (use after `save()` to check what an edit produced). */
  readWorkspaceFile(relativePath: string): string {
    return fs.readFileSync(this.workspaceFile(relativePath), 'utf8');
  }

  /** Saves a screenshot of a key step as test-results/screenshots/<prefix>-NN-<name>.png. */
  async screenshot(name: string): Promise<string> {
    const prefix = path.basename(this.server.workspaceDir);
    return saveScreenshot(this.page, `${prefix}-${String(++this.screenshotCount).padStart(2, '0')}-${name}`);
  }

  // ---- Explorer and editor ----

  /** Opens a file by clicking its name in the Explorer; `openFile('ci/jobs.yml')` expands the folders on the way. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    for (const [index, part] of parts.entries()) {
      const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label=${cssString(part)}]`).first();
      const isFolder = index < parts.length - 1;
      if (isFolder && (await row.getAttribute('aria-expanded')) === 'true') continue;
      await row.click();
    }
    const name = parts[parts.length - 1]!;
    await this.page.locator(`.tabs-container .tab.active[data-resource-name=${cssString(name)}]`).waitFor();
    await this.activeEditor().locator('.view-lines').waitFor();
  }

  /** The editor of the active tab. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Text of the lines the active editor currently renders (the whole file when it fits on screen). */
  async visibleEditorText(): Promise<string> {
    const lines = await this.activeEditor()
      .locator('.view-lines .view-line')
      .evaluateAll((elements) =>
        elements
          .map((element) => ({ top: parseFloat((element as unknown as StyledElement).style.top || '0'), text: element.textContent ?? '' }))
          .sort((a, b) => a.top - b.top)
          .map((line) => line.text.replace(/\u00a0/g, ' ')),
      );
    return lines.join('\n');
  }

  /** Clicks on the first rendered occurrence of `text` in the active editor, placing the cursor there. */
  async clickOnText(text: string): Promise<void> {
    await this.editorText(text).click();
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    await this.activeEditor()
      .click({ position: { x: 5, y: 5 }, force: true })
      .catch(() => undefined);
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
  }

  private editorText(text: string): Locator {
    return this.activeEditor().locator('.view-lines .view-line span', { hasText: text }).last();
  }

  // ---- Command palette and quick input ----

  /** Opens the command palette and types `title`; resolves with the matching entries' labels. */
  async searchCommands(title: string): Promise<string[]> {
    await this.openCommandPalette();
    await this.quickInputBox().fill(`>${title}`);
    const rows = this.quickInputRows();
    await rows.first().waitFor();
    return this.quickInputItemLabels();
  }

  /** Runs a command by its palette title, e.g. "GitLab CI Auth: Copy DOCKER_AUTH_CONFIG". */
  async runCommand(title: string): Promise<void> {
    await this.openCommandPalette();
    await this.quickInputBox().fill(`>${title}`);
    const row = this.quickInputRows().filter({ has: this.page.locator(`.label-name`, { hasText: title }) });
    await row.first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  private async openCommandPalette(): Promise<void> {
    await this.dismissQuickInput();
    await this.page.keyboard.press('F1');
    await this.quickInputBox().waitFor();
  }

  /** Waits for the quick input (input box or quick pick) and returns what it shows. */
  async quickInput(expected?: { title?: string | RegExp; message?: string | RegExp }): Promise<QuickInputState> {
    const widget = this.quickInputWidget();
    await widget.waitFor();
    if (expected?.title !== undefined) await expectText(widget.locator('.quick-input-title'), expected.title);
    if (expected?.message !== undefined) await expectText(widget.locator('.quick-input-message'), expected.message);
    return this.readQuickInput();
  }

  /** Replaces the quick input's text with `text`, character by character like a user types. */
  async typeInQuickInput(text: string): Promise<void> {
    const box = this.quickInputBox();
    await box.fill('');
    await box.pressSequentially(text);
  }

  /** Types `text` and presses Enter (accepting an input box or the focused quick-pick item). */
  async submitQuickInput(text?: string): Promise<void> {
    if (text !== undefined) await this.typeInQuickInput(text);
    await this.quickInputBox().press('Enter');
  }

  /** Picks the quick-pick item whose label contains `label`. */
  async pickQuickInputItem(label: string | RegExp): Promise<void> {
    const row = this.quickInputRows().filter({ hasText: label });
    await row.first().click();
  }

  async dismissQuickInput(): Promise<void> {
    if (await this.quickInputWidget().isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInputWidget().waitFor({ state: 'hidden' });
    }
  }

  private quickInputWidget(): Locator {
    return this.page.locator('.quick-input-widget:visible');
  }

  private quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget:visible .quick-input-box input');
  }

  private quickInputRows(): Locator {
    return this.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
  }

  private async quickInputItemLabels(): Promise<string[]> {
    return this.quickInputRows().evaluateAll((rows) =>
      rows.map((row) => (row.querySelector('.label-name')?.textContent ?? row.getAttribute('aria-label') ?? '').trim()),
    );
  }

  private async readQuickInput(): Promise<QuickInputState> {
    const widget = this.quickInputWidget();
    const inputBox = widget.locator('.quick-input-box .monaco-inputbox');
    const classes = (await inputBox.count()) > 0 ? ((await inputBox.first().getAttribute('class')) ?? '') : '';
    const validation = /\berror\b/.test(classes) ? 'error' : /\bwarning\b/.test(classes) ? 'warning' : /\binfo\b/.test(classes) ? 'info' : undefined;
    const box = this.quickInputBox();
    return {
      title: (await textOrEmpty(widget.locator('.quick-input-title'))).trim(),
      message: (await textOrEmpty(widget.locator('.quick-input-message'))).trim(),
      validation,
      placeholder: (await box.getAttribute('placeholder')) ?? '',
      value: await box.inputValue(),
      items: (await widget.locator('.quick-input-list').isVisible()) ? await this.quickInputItemLabels() : [],
    };
  }

  // ---- Problems, quick fixes, hovers ----

  /** Opens the Problems panel (Ctrl+Shift+M) and returns its entries once `until` holds (default: any entry). */
  async problems(until: (problems: readonly Problem[]) => boolean = (list) => list.length > 0): Promise<Problem[]> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor();
    const deadline = Date.now() + uiTimeoutMs;
    for (;;) {
      const problems = await this.readProblems();
      if (until(problems)) return problems;
      if (Date.now() > deadline) {
        throw new Error(`Problems panel never reached the expected state; it shows:\n${describeProblems(problems)}`);
      }
      // The list re-renders as diagnostics change: wait for the next DOM change rather than a fixed delay.
      await panel.evaluate(
        (element) =>
          new Promise<void>((resolve) => {
            const observer = new MutationObserver(() => {
              observer.disconnect();
              resolve();
            });
            observer.observe(element, { subtree: true, childList: true, characterData: true, attributes: true });
            setTimeout(() => {
              observer.disconnect();
              resolve();
            }, 1000);
          }),
      );
    }
  }

  private async readProblems(): Promise<Problem[]> {
    const rows = await this.page.locator('.markers-panel .monaco-list-row').evaluateAll((elements) =>
      elements.map((row) => ({
        label: row.getAttribute('aria-label') ?? '',
        fileName: row.querySelector('.resource-label-container .label-name')?.textContent ?? '',
        message: row.querySelector('.marker-message')?.textContent ?? '',
        source: row.querySelector('.marker-source')?.textContent ?? '',
        code: row.querySelector('.marker-code')?.textContent ?? '',
        severityClass: row.querySelector('.marker-icon')?.className ?? '',
        position: row.querySelector('.marker-line')?.textContent ?? '',
      })),
    );
    // Marker rows follow the row of their file.
    const problems: Problem[] = [];
    let file = '';
    for (const row of rows) {
      if (row.fileName) file = row.fileName;
      else if (row.severityClass) problems.push(toProblem(row, file));
    }
    return problems;
  }

  /** Opens the quick fixes at the first occurrence of `text` with Ctrl+. and picks the one whose title matches. */
  async quickFix(text: string, pick: string | RegExp): Promise<void> {
    const item = await this.openCodeActions(text, pick);
    await item.click();
    await this.page.locator('.action-widget').first().waitFor({ state: 'hidden' });
  }

  /** Titles of the code actions (quick fixes and refactorings) offered at `text`; closes the menu again. */
  async quickFixTitles(text: string): Promise<string[]> {
    await this.openCodeActions(text);
    const titles = await this.page
      .locator('.action-widget .monaco-list-row.action .title')
      .evaluateAll((elements) => elements.map((element) => (element.textContent ?? '').trim()));
    await this.page.keyboard.press('Escape');
    return titles;
  }

  /**
   * Ctrl+. once at `text`: the titles offered, or none when VS Code says "No code actions available". Only for a file
   * whose problems are already shown (the providers are registered), where "none" is the answer and not a slow start.
   */
  async quickFixTitlesOrNone(text: string): Promise<string[]> {
    await this.clickOnText(text);
    await this.page.keyboard.press('Control+.');
    const none = this.page.getByText('No code actions available').first();
    await this.page.locator('.action-widget .monaco-list-row.action').first().or(none).waitFor();
    if (await none.isVisible()) return [];
    const titles = await this.page.locator('.action-widget .monaco-list-row.action .title').allTextContents();
    await this.page.keyboard.press('Escape');
    return titles.map((title) => title.trim());
  }

  /**
   * Ctrl+. at `text`, until the menu lists `wanted` (or anything, without it): a language feature may still be
   * starting when the file has just opened, and then VS Code answers "No code actions available".
   */
  private async openCodeActions(text: string, wanted?: string | RegExp): Promise<Locator> {
    const menu = this.page.locator('.action-widget').first();
    const item = this.page.locator('.action-widget .monaco-list-row.action', wanted ? { hasText: wanted } : {}).first();
    const deadline = Date.now() + uiTimeoutMs;
    for (;;) {
      await this.clickOnText(text);
      await this.page.keyboard.press('Control+.');
      if (
        await item.waitFor({ timeout: 3000 }).then(
          () => true,
          () => false,
        )
      )
        return item;
      const offered = await this.page.locator('.action-widget .monaco-list-row.action .title').allTextContents();
      if (Date.now() > deadline) {
        throw new Error(`no code action ${String(wanted ?? '')} at "${text}"; offered: ${offered.join(' | ') || 'none'}`);
      }
      if (await menu.isVisible()) await this.page.keyboard.press('Escape');
    }
  }

  /** Hovers the mouse over the first occurrence of `text` in the active editor and returns the hover's text. */
  async hover(text: string): Promise<string> {
    const target = this.editorText(text);
    await target.hover();
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
    await hover.first().waitFor();
    return (await hover.first().innerText()).trim();
  }

  /**
   * Hovers `text` until the hover's parts together match `wanted` (a problem's hover part can come first, and our
   * provider's part a moment later), moving away and back between tries: a hover already dismissed at the same spot
   * does not come back by itself. Returns all parts' text.
   */
  async hoverMatching(text: string, wanted: RegExp, timeoutMs = 30_000): Promise<string> {
    const target = this.editorText(text);
    const parts = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
    return eventually(
      async () => {
        await this.page.mouse.move(1100, 420);
        await target.hover({ timeout: 3000 }).catch(() => undefined);
        await parts
          .first()
          .waitFor({ timeout: 3000 })
          .catch(() => undefined);
        const shown = (await parts.allInnerTexts()).join('\n');
        return wanted.test(shown) ? shown : undefined;
      },
      `the hover of ${text} matches ${wanted}`,
      timeoutMs,
    );
  }

  // ---- Notifications and clipboard ----

  /**
   * Waits for a notification containing `text` and returns its full message. VS Code shows at most three toasts and
   * queues the rest unseen behind them (toasts of a window without focus never fade): then the Notifications center,
   * which lists every notification, is where it is read.
   */
  async notification(text: string | RegExp): Promise<string> {
    const message = (where: string) => this.page.locator(`${where} .notification-list-item-message`, { hasText: text }).first();
    const shown = (locator: Locator, timeout: number) =>
      locator.waitFor({ timeout }).then(
        () => true,
        () => false,
      );
    const deadline = Date.now() + uiTimeoutMs;
    for (;;) {
      if (await shown(message('.notification-toast'), 2000)) return (await message('.notification-toast').innerText()).trim();
      if ((await this.page.locator('.notification-toast').count()) >= 3) {
        await this.runCommand('Notifications: Show Notifications');
        const listed = (await shown(message('.notifications-center'), 2000)) ? (await message('.notifications-center').innerText()).trim() : undefined;
        await this.runCommand('Notifications: Hide Notifications');
        if (listed !== undefined) return listed;
      }
      if (Date.now() > deadline) throw new Error(`no notification ${String(text)}; shown: ${(await this.notifications()).join(' | ') || 'none'}`);
    }
  }

  /** Messages of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** Clicks a button (e.g. "Copy", "Open Settings") on the notification containing `text`. */
  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    await toast.getByRole('button', { name: button }).click();
  }

  /** What the page can read from the system clipboard (the workbench writes it through the browser). */
  async clipboard(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async close(): Promise<void> {
    this.unregister();
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
  }
}

interface ProblemRow {
  readonly label: string;
  readonly message: string;
  readonly source: string;
  readonly code: string;
  readonly severityClass: string;
  readonly position: string;
}

function toProblem(row: ProblemRow, file: string): Problem {
  const severity = /\berror\b/.test(row.severityClass)
    ? 'error'
    : /\bwarning\b/.test(row.severityClass)
      ? 'warning'
      : /\binfo\b/.test(row.severityClass)
        ? 'info'
        : 'unknown';
  const position = /Ln (\d+), Col (\d+)/.exec(row.position);
  return {
    severity,
    message: row.message.trim(),
    source: row.source.trim(),
    code: row.code.trim(),
    file,
    line: Number(position?.[1] ?? 0),
    column: Number(position?.[2] ?? 0),
    label: row.label,
  };
}

/** A CSS attribute value in double quotes. */
function cssString(value: string): string {
  return JSON.stringify(value);
}

function describeProblems(problems: readonly Problem[]): string {
  if (problems.length === 0) return '  (no problems)';
  return problems.map((problem) => `  ${problem.severity} line ${problem.line}: ${problem.message}`).join('\n');
}

async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  try {
    await locator.filter({ hasText: expected }).first().waitFor({ state: 'attached' });
  } catch {
    throw new Error(`expected ${String(expected)} in the quick input, saw "${await textOrEmpty(locator)}"`);
  }
}

async function textOrEmpty(locator: Locator): Promise<string> {
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
}
