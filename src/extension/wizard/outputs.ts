/**
 * Where a DOCKER_AUTH_CONFIG goes once built: the clipboard (cleared again later), a read-only preview with the
 * `auth` values hidden until revealed, or a config.json step in a job (`~/.docker/config.json`: node/dockerConfigOutput.ts). Shared by the
 * wizard and the credential commands.
 */
import * as vscode from 'vscode';
import type { WizardCredential } from '../../core/wizard/credentialWizard';
import type { CredentialStore } from '../credentialStore';
import { DIAGNOSTIC_SOURCE } from '../diagnostics';

/**
 * Copies the JSON and clears the clipboard after `clearSeconds` if it still holds it (0 keeps it). `cleared` settles
 * once that check ran: true when it cleared the clipboard, false when it found something else there (or kept it).
 */
export async function copyWithAutoClear(json: string, clearSeconds: number): Promise<{ readonly cleared: Promise<boolean> }> {
  await vscode.env.clipboard.writeText(json);
  lastCopied = json;
  if (clearSeconds <= 0) return { cleared: Promise.resolve(false) };
  const cleared = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      void vscode.env.clipboard
        .readText()
        .then(async (current) => {
          if (current !== json) return false;
          await vscode.env.clipboard.writeText('');
          return true;
        })
        .then(resolve, () => resolve(false));
    }, clearSeconds * 1000);
    timer.unref?.();
  });
  return { cleared };
}

/** What we last put in the clipboard, so deactivate can clear it if it is still there. */
let lastCopied: string | undefined;

/** Clears the clipboard when it still holds what we copied (whatever `clipboardClearSeconds` says). */
export async function clearCopiedClipboard(): Promise<void> {
  const copied = lastCopied;
  lastCopied = undefined;
  if (copied !== undefined && (await vscode.env.clipboard.readText()) === copied) await vscode.env.clipboard.writeText('');
}

const PREVIEW_SCHEME = 'gitlab-ci-auth-preview';

/** Read-only virtual documents showing a DOCKER_AUTH_CONFIG; the secret-bearing values live only in memory. */
export class AuthConfigPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly documents = new Map<string, { json: string; revealed: boolean }>();
  private counter = 0;
  private readonly disposables: vscode.Disposable[];

  constructor() {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === PREVIEW_SCHEME) this.documents.delete(document.uri.path);
      }),
      this.changed,
    ];
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.documents.clear();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const entry = this.documents.get(uri.path);
    if (!entry) return vscode.l10n.t('This preview has expired. Run the wizard or "Copy DOCKER_AUTH_CONFIG" again.');
    return entry.revealed ? entry.json : hideAuthValues(entry.json);
  }

  async show(json: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/DOCKER_AUTH_CONFIG-${++this.counter}.json` });
    this.documents.set(uri.path, { json, revealed: false });
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
    const reveal = vscode.l10n.t('Reveal auth values');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('The auth values in the preview are hidden.'), reveal);
    const entry = this.documents.get(uri.path);
    if (choice === reveal && entry) {
      entry.revealed = true;
      this.changed.fire(uri);
    }
  }
}

/** Replaces every secret-bearing value (`auth`, `password`, `identitytoken`, `registrytoken`) with a placeholder. */
export function hideAuthValues(json: string): string {
  return json.replace(/("(?:auth|password|identitytoken|registrytoken)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"<hidden>"');
}

/** A job flagged as needing a config.json step, with the quick fix that inserts it. */
export interface ConfigStepTarget {
  readonly label: string;
  readonly action: vscode.CodeAction;
}

/**
 * Jobs the diagnostics flag as `kaniko-missing-config`, with the quick fix that writes the config.json step.
 * Reading them through the code action provider keeps one implementation of the edit (the core's kanikoConfigStepEdit).
 */
export async function configStepTargets(): Promise<ConfigStepTarget[]> {
  const targets: ConfigStepTarget[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || codeOf(diagnostic) !== 'kaniko-missing-config') continue;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const action = actions?.find((candidate) => candidate.edit !== undefined && candidate.diagnostics?.some((d) => codeOf(d) === 'kaniko-missing-config'));
      if (action) targets.push({ label: `${vscode.workspace.asRelativePath(uri)}:${diagnostic.range.start.line + 1} — ${diagnostic.message}`, action });
    }
  }
  return targets;
}

/** A diagnostic's code as a string, whether written plain or as `{ value, target }`. */
export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/** The chosen stored credentials with their secrets, for writing ~/.docker/config.json. */
export async function credentialsWithSecrets(
  store: CredentialStore,
  registries: readonly string[] | undefined,
  extra: readonly WizardCredential[] = [],
): Promise<WizardCredential[]> {
  const result: WizardCredential[] = [];
  for (const entry of store.list()) {
    if (registries !== undefined && !registries.includes(entry.registry) && !registries.includes(entry.key)) continue;
    if (entry.helper !== undefined) {
      result.push({ registry: entry.registry, username: '', kind: entry.kind, helper: entry.helper });
      continue;
    }
    const secret = await store.secretFor(entry);
    if (secret !== undefined) result.push({ registry: entry.registry, username: entry.username, secret, kind: entry.kind });
  }
  return [...result, ...extra];
}
