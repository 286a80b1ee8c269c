// @workspace test/fixtures/workspaces/smoke
// @settings {"gitlabCiAuth.checkTimeBudgetMs": 60000}
// @timeout 300
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import { EXTENSION_ID, codeOf, describeDiagnostic, ourDiagnostics, pipelineUri } from './support';

const BUDGET_MS = 200;
/** Room for what surrounds a check in the extension host (the edit's sync, publishing) on a loaded 2-core machine. */
const MARGIN_MS = 3_000;

/** ~1 MB of jobs ending in a syntax error: yaml's Composer reads it (not the fast parser), which takes seconds. */
function slowPipeline(): string {
  const jobs = Array.from({ length: 14_000 }, (_, i) => `job${i}:\n  image: alpine:3.${i}\n  script: [make]\n`).join('');
  return `${jobs}broken: [\n`;
}

/** The longest time the extension host's event loop was blocked while `action` ran (timer ticks every 5 ms). */
async function longestBlock(action: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await action();
  } finally {
    clearInterval(probe);
  }
  return Math.max(longest, performance.now() - last);
}

/** Resolves once a check of the folder has published diagnostics of the pipeline that satisfy `accept`. */
function checkedUntil(api: ExtensionApi, accept: (diagnostics: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out; diagnostics:\n${ourDiagnostics(pipelineUri()).slice(0, 5).map(describeDiagnostic).join('\n') || '(none)'}`));
    }, 120_000);
    const listener = api.diagnostics.onDidCheck(() => {
      const diagnostics = ourDiagnostics(pipelineUri());
      if (!accept(diagnostics)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(diagnostics);
    });
  });
}

const stopped = (diagnostics: vscode.Diagnostic[]) =>
  diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'limit-exceeded' && diagnostic.message.includes('took longer than'));

describe('check time budget', function () {
  // The unbudgeted check of the slow file takes seconds, tens of seconds on a loaded machine.
  this.timeout(240_000);

  it('stops a slow check within its budget, says so on the root file, and never blocks the host much longer', async () => {
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as ExtensionApi;
    const editor = await vscode.window.showTextDocument(pipelineUri());

    // Without a budget to speak of, the whole file is read: the host is blocked for as long as that takes.
    let fullCheck: vscode.Diagnostic[] = [];
    const fullMs = await longestBlock(async () => {
      const done = checkedUntil(api, (diagnostics) => diagnostics.some((diagnostic) => codeOf(diagnostic) === 'yaml-syntax'));
      const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
      assert.ok(await editor.edit((edit) => edit.replace(whole, slowPipeline())));
      fullCheck = await done;
    });
    assert.deepEqual(stopped(fullCheck), []);

    // With the budget: the check of the next edit stops, and says so on the root file.
    // The re-check the setting causes may be quick (the parse and the jobs are cached): wait for it, whatever it shows.
    const rechecked = checkedUntil(api, () => true);
    await vscode.workspace.getConfiguration('gitlabCiAuth').update('checkTimeBudgetMs', BUDGET_MS, vscode.ConfigurationTarget.Global);
    await rechecked;
    let budgeted: vscode.Diagnostic[] = [];
    const budgetedMs = await longestBlock(async () => {
      const done = checkedUntil(api, (diagnostics) => stopped(diagnostics).length > 0);
      // A new text: nothing of it is cached, so the check reads the YAML again.
      assert.ok(await editor.edit((edit) => edit.replace(new vscode.Range(0, 0, 0, 4), 'first')));
      budgeted = await done;
    });
    const [stop] = stopped(budgeted);
    assert.ok(stop, budgeted.map(describeDiagnostic).join('\n'));
    assert.equal(stop.range.start.line, 0);
    assert.match(stop.message, /took longer than 0\.2 s and was stopped/);
    assert.equal(stop.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(
      budgetedMs < BUDGET_MS + MARGIN_MS && budgetedMs < fullMs,
      `the host was blocked up to ${budgetedMs.toFixed(0)} ms with the budget, ${fullMs.toFixed(0)} ms without`,
    );

    // The host answers right away: a hover on the stopped file comes back.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', pipelineUri(), new vscode.Position(1, 10));
    assert.ok(Array.isArray(hovers));
  });
});
