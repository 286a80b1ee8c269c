// @workspace test/fixtures/workspaces/wizard
// @settings {"gitlabCiAuth.clipboardClearSeconds": 1}
// @timeout 240
// Secrets under failure, in the real extension host: a keychain that throws, tokens that vanished while their metadata
// stayed, two windows changing credentials at once, the clipboard cleared after the configured time, and a scan that
// the sentinel token reached no file, log or setting.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCredentialWizard } from '../../src/core/wizard/credentialWizard';
import { importAuthConfig } from '../../src/extension/credentialCommands';
import { createCredentialStore, KeyringUnavailableError, type CredentialLog, type CredentialStore } from '../../src/extension/credentialStore';
import { registerDiagnostics, type DiagnosticsService } from '../../src/extension/diagnostics';
import type { GitLabConnection } from '../../src/extension/gitlab/gitlab';
import { nodePlatform } from '../../src/extension/node/platform';
import { SettingsReader } from '../../src/extension/settings';
import { AuthConfigPreview, copyWithAutoClear } from '../../src/extension/wizard/outputs';
import { wizardServices } from '../../src/extension/wizard/wizard';
import { assertSameSecretText, hideSecrets, secretForms } from '../support/secretAssert';
import { choose, chooseMany, ScriptedPrompter, type } from '../support/scriptedPrompter';
import { eventually } from '../support/eventually';
import { filesUnder, maxScannedBytes } from '../support/files';
import type { ExtensionApi } from '../../src/extension/extension';
import { codeOf, EXTENSION_ID, pipelineUri } from './support';
import { answeringQuickPicks } from '../support/quickPickAnswers';

/** Obviously fake; every flow below carries it, and the last test scans for it. */
const sentinel = 'FAKE-secrets-sentinel-token-5e1d';
const otherToken = 'FAKE-secrets-other-token-77aa';
const username = 'ci-puller';
const registry = 'registry.wizard.example:5050';
const otherRegistry = 'other.wizard.example';
const timeoutMs = 15_000;

const needles = [sentinel, otherToken].flatMap(secretForms);

function containsSecret(text: string): boolean {
  return needles.some((form) => text.includes(form));
}

// ---- Storage that behaves like one VS Code profile seen from several windows ----

/**
 * One profile's globalState + SecretStorage, with a view per window. A window sees its own writes at once and other
 * windows' writes a moment later, in the order they were made (as VS Code delivers storage changes across windows);
 * SecretStorage fires onDidChange in every window.
 */
class SharedProfile {
  private readonly state = new Map<string, unknown>();
  private readonly secrets = new Map<string, string>();
  private readonly windows: ProfileWindow[] = [];
  private delivery: Promise<void> = Promise.resolve();
  /** Set to make every SecretStorage call reject, as with a locked or missing OS keychain. */
  keychainError: ((value?: string) => Error) | undefined;

  window(): ProfileWindow {
    const window = new ProfileWindow(this, new Map(this.state));
    this.windows.push(window);
    return window;
  }

  secret(key: string): string | undefined {
    if (this.keychainError) throw this.keychainError();
    return this.secrets.get(key);
  }

  /** Applies a change made in `from`: to the profile now, to the other windows in order, shortly after. */
  change(from: ProfileWindow | undefined, change: { state: [string, unknown] } | { secret: [string, string | undefined] }): void {
    if ('state' in change) {
      const [key, value] = change.state;
      if (value === undefined) this.state.delete(key);
      else this.state.set(key, value);
    } else {
      const [key, value] = change.secret;
      if (value === undefined) this.secrets.delete(key);
      else this.secrets.set(key, value);
    }
    for (const window of this.windows) {
      if (window === from && 'state' in change) continue;
      this.delivery = this.delivery.then(() => new Promise((resolve) => setTimeout(resolve, 10))).then(() => window.receive(change));
    }
  }

  /** Another machine or a keychain reset removed a token behind every window's back. */
  loseSecret(key: string): void {
    this.change(undefined, { secret: [key, undefined] });
  }

  secretKeys(): string[] {
    return [...this.secrets.keys()];
  }

  stateKeys(): string[] {
    return [...this.state.keys()];
  }
}

/** One window's globalState (cached, like the extension host's) and SecretStorage over a {@link SharedProfile}. */
class ProfileWindow {
  private readonly secretChanged = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly globalState: vscode.Memento & { setKeysForSync(keys: readonly string[]): void };
  readonly workspaceState: vscode.Memento;
  readonly secrets: vscode.SecretStorage;

  constructor(
    profile: SharedProfile,
    private readonly cache: Map<string, unknown>,
  ) {
    this.globalState = {
      keys: () => [...cache.keys()],
      get: <T>(key: string, fallback?: T) => (cache.has(key) ? (cache.get(key) as T) : fallback),
      update: async (key: string, value: unknown) => {
        if (value === undefined) cache.delete(key);
        else cache.set(key, structuredClone(value));
        profile.change(this, { state: [key, structuredClone(value)] });
      },
      setKeysForSync: () => undefined,
    } as vscode.Memento & { setKeysForSync(keys: readonly string[]): void };
    this.workspaceState = memoryMemento();
    this.secrets = {
      get: async (key) => profile.secret(key),
      store: async (key, value) => {
        if (profile.keychainError) throw profile.keychainError(value);
        profile.change(this, { secret: [key, value] });
      },
      delete: async (key) => {
        if (profile.keychainError) throw profile.keychainError();
        profile.change(this, { secret: [key, undefined] });
      },
      onDidChange: this.secretChanged.event,
    };
  }

  receive(change: { state: [string, unknown] } | { secret: [string, string | undefined] }): void {
    if ('state' in change) {
      const [key, value] = change.state;
      if (value === undefined) this.cache.delete(key);
      else this.cache.set(key, value);
    } else {
      this.secretChanged.fire({ key: change.secret[0] });
    }
  }
}

function memoryMemento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => {
      if (value === undefined) values.delete(key);
      else values.set(key, value);
    },
  } as vscode.Memento;
}

/** Records every log line, so tests can check that none holds a token. */
class RecordingLog implements CredentialLog {
  readonly lines: string[] = [];
  info(message: string, ...args: unknown[]): void {
    this.lines.push([message, ...args].join(' '));
  }
  warn(message: string, ...args: unknown[]): void {
    this.lines.push([message, ...args].join(' '));
  }
}

// ---- A scripted user for the wizard (the quick inputs are driven through the real UI in the e2e tests) ----

// ---- Helpers on the real workbench ----

/**
 * Resolves once `diagnostics`' own collection shows missing-credentials for the pipeline (`present`), or shows instead
 * that a stored credential matches: credential-not-in-gitlab ("stored in VS Code only"), never a quiet file.
 */
function untilMissingIn(diagnostics: DiagnosticsService, present: boolean): Promise<void> {
  const has = (): boolean => {
    const codes = (diagnostics.collection.get(pipelineUri()) ?? []).map(codeOf);
    return present ? codes.includes('missing-credentials') : !codes.includes('missing-credentials') && codes.includes('credential-not-in-gitlab');
  };
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!has()) return;
      clearTimeout(timer);
      listener.dispose();
      resolve();
    };
    const listener = diagnostics.onDidCheck(check);
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out waiting for ${present ? '' : 'no '}missing-credentials in this window's diagnostics`));
    }, timeoutMs);
    check();
  });
}

function onceChanged(store: CredentialStore): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('onDidChange never fired')), timeoutMs);
    const listener = store.onDidChange(() => {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    });
  });
}

const disposables: vscode.Disposable[] = [];
const logs: RecordingLog[] = [];

function newLog(): RecordingLog {
  const log = new RecordingLog();
  logs.push(log);
  return log;
}

function storeIn(window: ProfileWindow): CredentialStore {
  const store = createCredentialStore(window, newLog());
  disposables.push(store);
  return store;
}

describe('secrets: keychain failures, lost tokens, two windows, clipboard', () => {
  before(async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(pipelineUri()));
  });

  after(() => {
    for (const disposable of disposables.splice(0)) disposable.dispose();
  });

  describe('the OS keychain fails', () => {
    it('store() says so, and leaves neither metadata nor token behind', async () => {
      const profile = new SharedProfile();
      // A hostile keychain whose error message echoes the token it was given.
      profile.keychainError = (value) => new Error(`keychain locked, could not save ${value ?? ''}`);
      const window = profile.window();
      const log = newLog();
      const store = createCredentialStore(window, log);
      disposables.push(store);

      await assert.rejects(store.store({ registry, username, secret: sentinel, kind: 'deploy-token' }, 'global'), (error: unknown) => {
        assert.ok(KeyringUnavailableError.is(error));
        assert.match(error.message, /OS keychain is not available.*registry\.wizard\.example:5050/);
        assert.equal(containsSecret(error.message), false);
        return true;
      });
      assert.deepEqual(store.list(), []);
      assert.deepEqual(profile.stateKeys(), [], 'no metadata without its token');
      assert.deepEqual(window.globalState.keys(), []);
      assert.ok(
        log.lines.some((line) => /SecretStorage could not store a token/.test(line)),
        log.lines.join('\n'),
      );
      assert.equal(log.lines.some(containsSecret), false, 'the keychain error text is not logged');
    });

    it('Import stores nothing and says so', async () => {
      const profile = new SharedProfile();
      profile.keychainError = (value) => new Error(`keychain refused ${value ?? ''}`);
      const store = storeIn(profile.window());
      const log = vscode.window.createOutputChannel('GitLab CI Auth (secrets import test)', { log: true });
      disposables.push(log);
      const text = JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${sentinel}`).toString('base64') } } });
      assert.equal(await answeringQuickPicks(() => importAuthConfig(store, log, { text, origin: 'yaml' })), false);
      assert.deepEqual(store.list(), []);
      assert.deepEqual(profile.stateKeys(), []);
    });

    it('a failing rotation keeps the previous credential as it was', async () => {
      const profile = new SharedProfile();
      const store = storeIn(profile.window());
      const before = await store.store({ registry, username, secret: otherToken, kind: 'deploy-token' }, 'global');
      profile.keychainError = () => new Error('keychain gone');
      await assert.rejects(store.store({ registry, username: 'new-user', secret: sentinel, kind: 'deploy-token' }, 'global'), KeyringUnavailableError);
      assert.deepEqual(store.list(), [before]);
      profile.keychainError = undefined;
      assert.equal(await store.secretFor(before), otherToken);
    });

    it('reading fails: the token counts as unreadable (not missing), Copy names it, coverage is kept', async () => {
      const profile = new SharedProfile();
      const store = storeIn(profile.window());
      const stored = await store.store({ registry, username, secret: sentinel, kind: 'deploy-token' }, 'global');
      profile.keychainError = () => new Error('keychain locked');
      // Any SecretStorage event makes the store re-read its tokens.
      const changed = onceChanged(store);
      profile.loseSecret('registry-credential:unrelated');
      await changed;
      assert.equal(await store.tokenStatus(stored), 'unreadable');
      const combined = await store.combinedAuthConfig();
      assert.deepEqual(combined.included, []);
      assert.deepEqual(
        combined.missingSecrets.map((entry) => entry.key),
        [registry],
      );
      assert.deepEqual(
        store.sourcesFor(vscode.workspace.workspaceFolders![0]!)[0]?.keys.map((key) => key.key),
        [registry],
      );
    });

    it('removing while the keychain refuses keeps the credential and says why', async () => {
      const profile = new SharedProfile();
      const store = storeIn(profile.window());
      const stored = await store.store({ registry, username, secret: sentinel, kind: 'deploy-token' }, 'global');
      profile.keychainError = () => new Error('keychain locked');
      await assert.rejects(
        store.remove(stored),
        (error: unknown) => KeyringUnavailableError.is(error) && /cannot be deleted; the credential is kept/.test(error.message),
      );
      assert.deepEqual(store.list(), [stored]);
    });

    it('the wizard shows that the keychain is unavailable, offers "Use it once", and copies the token without storing it', async function () {
      this.timeout(30_000);
      const profile = new SharedProfile();
      profile.keychainError = () => new Error('no keychain');
      const store = storeIn(profile.window());
      const log = vscode.window.createOutputChannel('GitLab CI Auth (secrets test)', { log: true });
      const preview = new AuthConfigPreview();
      disposables.push(log, preview);
      const connection = stubConnection();
      const services = await wizardServices({
        log,
        credentials: store,
        preview,
        settings: new SettingsReader(log),
        connection,
        platform: nodePlatform(),
        diagnostics: { published: () => [], checkFolder: () => undefined },
      });
      const guidance: string[] = [];
      const user = new ScriptedPrompter([
        choose('Registry account'),
        type(username),
        type(sentinel),
        choose('Skip verification'),
        choose('On this computer, for all my projects'),
        (call) => {
          assert.match(call.options.placeholder ?? '', /secret storage is not available, so the token cannot be stored/);
          return choose('Use it once without storing')(call);
        },
        chooseMany('Copy DOCKER_AUTH_CONFIG to the clipboard'),
      ]);
      await vscode.env.clipboard.writeText('');
      const outcome = await runCredentialWizard(user, { ...services, showGuidance: async (message) => void guidance.push(message) }, { registry });
      assert.deepEqual(outcome, { status: 'done', registry, stored: false, actions: ['clipboard'] });
      const expected = `{"auths":{"${registry}":{"auth":"${Buffer.from(`${username}:${sentinel}`).toString('base64')}"}}}`;
      assertSameSecretText(await vscode.env.clipboard.readText(), expected, 'the clipboard');
      assert.deepEqual(store.list(), [], 'used once: nothing stored');
      assert.deepEqual(profile.stateKeys(), []);
      assert.equal(guidance.length, 1);
      await vscode.env.clipboard.writeText('');
    });
  });

  describe('a token is missing while its metadata is there (keychain reset, state from another machine)', () => {
    let profile: SharedProfile;
    let store: CredentialStore;
    let diagnostics: DiagnosticsService;

    before(async () => {
      profile = new SharedProfile();
      store = storeIn(profile.window());
      diagnostics = diagnosticsOver(store);
      await untilMissingIn(diagnostics, true);
      await store.store({ registry, username, secret: sentinel, kind: 'deploy-token' }, 'global');
      await store.store({ registry: otherRegistry, username, secret: otherToken, kind: 'deploy-token' }, 'global');
      await untilMissingIn(diagnostics, false);
      const changed = onceChanged(store);
      profile.loseSecret(profile.secretKeys().find((key) => key.includes(registry))!);
      await changed;
    });

    it('is listed as missing, the other as stored', async () => {
      const statuses = await Promise.all(store.list().map(async (entry) => [entry.key, await store.tokenStatus(entry)]));
      assert.deepEqual(Object.fromEntries(statuses), { [registry]: 'missing', [otherRegistry]: 'stored' });
    });

    it('the combined DOCKER_AUTH_CONFIG leaves it out and names it, instead of a broken entry', async () => {
      const combined = await store.combinedAuthConfig();
      assert.deepEqual(combined.included, [otherRegistry]);
      assert.deepEqual(
        combined.missingSecrets.map((entry) => entry.registry),
        [registry],
      );
      assert.deepEqual(Object.keys((JSON.parse(combined.json) as { auths: object }).auths), [otherRegistry]);
    });

    it('no longer counts as coverage: the image is flagged again, with the wizard to re-enter it', async () => {
      await untilMissingIn(diagnostics, true);
      const keys = store.sourcesFor(vscode.workspace.workspaceFolders![0]!).flatMap((source) => source.keys.map((key) => key.key));
      assert.deepEqual(keys, [otherRegistry]);
    });

    it('re-entering the token restores it and the coverage', async () => {
      const [missing] = store.list().filter((entry) => entry.key === registry);
      await store.store({ registry, username, secret: sentinel, kind: missing!.kind }, missing!.scope, missing!.key);
      assert.equal(await store.tokenStatus(missing!), 'stored');
      await untilMissingIn(diagnostics, false);
    });
  });

  describe('two windows change credentials at once', () => {
    it('both credentials survive, and each window sees the other one and re-checks its diagnostics', async () => {
      const profile = new SharedProfile();
      const windowA = storeIn(profile.window());
      const windowB = storeIn(profile.window());
      const diagnosticsB = diagnosticsOver(windowB);
      await untilMissingIn(diagnosticsB, true);

      await Promise.all([
        windowA.store({ registry, username, secret: sentinel, kind: 'deploy-token' }, 'global'),
        windowB.store({ registry: otherRegistry, username, secret: otherToken, kind: 'deploy-token' }, 'global'),
      ]);
      // Window B's diagnostics pick up the registry window A stored, through SecretStorage's change event.
      await untilMissingIn(diagnosticsB, false);
      for (const store of [windowA, windowB]) {
        await eventually(() => store.list().length === 2, 'both windows list both credentials');
        assert.deepEqual(
          store
            .list()
            .map((entry) => entry.key)
            .sort(),
          [otherRegistry, registry].sort(),
        );
        assert.deepEqual(JSON.parse((await store.combinedAuthConfig()).json), {
          auths: {
            [otherRegistry]: { auth: Buffer.from(`${username}:${otherToken}`).toString('base64') },
            [registry]: { auth: Buffer.from(`${username}:${sentinel}`).toString('base64') },
          },
        });
      }

      // Removing in window A: window B's diagnostics flag the image again.
      await windowA.remove(windowA.list().find((entry) => entry.key === registry)!);
      await untilMissingIn(diagnosticsB, true);
      await eventually(() => windowB.list().length === 1, 'window B drops the removed credential');
    });
  });

  describe('clipboard (gitlabCiAuth.clipboardClearSeconds = 1)', () => {
    const clipboardUser = `${username}-clipboard`;
    before(async () => {
      // A username no earlier test stored, so the JSON copied here is one no earlier copy holds: a clearing timer left
      // from an earlier copy (1 s too) then finds other text and cannot clear this one early. (Copy gives the
      // credentials the pipeline uses, so a second, unused registry would not make it differ.)
      const api = (await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate()) as ExtensionApi;
      for (const stored of api.credentials.list()) await api.credentials.remove(stored);
      const text = JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${clipboardUser}:${sentinel}`).toString('base64') } } });
      assert.equal(await answeringQuickPicks(() => vscode.commands.executeCommand<boolean>('gitlabCiAuth.importAuthConfig', { text, origin: 'yaml' })), true);
    });

    it('is cleared after the configured time when it still holds the DOCKER_AUTH_CONFIG', async () => {
      await vscode.env.clipboard.writeText('');
      // Taken before the command starts its 1 s timer, so the clearing can come no sooner than 1 s after it.
      const start = Date.now();
      assert.equal(await vscode.commands.executeCommand<boolean>('gitlabCiAuth.copyAuthConfig'), true);
      const copied = await vscode.env.clipboard.readText();
      assert.ok(copied.includes(Buffer.from(`${clipboardUser}:${sentinel}`).toString('base64')), 'the command copied the stored credential');
      await eventually(async () => (await vscode.env.clipboard.readText()) === '', 'the clipboard is cleared');
      const elapsed = Date.now() - start;
      assert.ok(elapsed >= 1_000, `cleared after ${elapsed} ms, before the 1 s setting`);
      assert.ok(elapsed < 5_000, `cleared after ${elapsed} ms, not within a few seconds of the 1 s setting`);
    });

    it('is left alone when the user copied something else meanwhile', async () => {
      // The command's timer runs in the extension's own bundle; its check is the same function, awaited here.
      const { cleared } = await copyWithAutoClear('{"auths":{}}', 1);
      await vscode.env.clipboard.writeText('something the user copied');
      assert.equal(await cleared, false, 'the timer cleared a clipboard that held something else');
      assert.equal(await vscode.env.clipboard.readText(), 'something the user copied');
      await vscode.env.clipboard.writeText('');
    });

    it('is cleared by the same check when it still holds the JSON', async () => {
      const { cleared } = await copyWithAutoClear('{"auths":{}}', 1);
      assert.equal(await cleared, true);
      assert.equal(await vscode.env.clipboard.readText(), '');
    });
  });

  // Last (mocha runs a suite's own tests before its nested suites): scans what every flow above wrote.
  describe('afterwards', () => {
    it('the sentinel reached no log line, no setting, no workspace file and no file under the user-data dir', async () => {
      for (const log of logs) assert.equal(log.lines.some(containsSecret), false, hideSecrets(log.lines.join('\n'), needles));
      const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      // The harness lays out <root>/workspace/<fixture> and <root>/user-data (logs, settings, state).
      const userData = path.resolve(folder, '..', '..', 'user-data');
      assert.ok(fs.existsSync(path.join(userData, 'User', 'settings.json')), `no user-data dir at ${userData}`);
      await eventually(
        () => filesUnder(path.join(userData, 'logs'), maxScannedBytes).some((file) => /Imported \d+ registry credential/.test(fs.readFileSync(file, 'utf8'))),
        'the extension log reaches disk',
      );
      const settings = vscode.workspace.getConfiguration();
      assert.equal(containsSecret(JSON.stringify(settings.inspect('gitlabCiAuth') ?? {})), false);
      for (const file of [...filesUnder(userData, maxScannedBytes), ...filesUnder(folder, maxScannedBytes)]) {
        assert.equal(containsSecret(fs.readFileSync(file, 'latin1')), false, `${path.relative(path.dirname(userData), file)} holds the token`);
      }
    });
  });
});

function stubConnection(): GitLabConnection {
  const changed = new vscode.EventEmitter<void>();
  disposables.push(changed);
  return {
    onDidChange: changed.event,
    sourcesFor: () => [],
    externalIncludesFor: () => undefined,
    requestIncludes: () => undefined,
    includeFailureFor: () => undefined,
    variablesCoverageFor: () => undefined,
  };
}

/** A second diagnostics engine whose only coverage is `store`: what that window's Problems panel would show. */
function diagnosticsOver(store: CredentialStore): DiagnosticsService {
  const subscriptions: vscode.Disposable[] = [];
  const log = vscode.window.createOutputChannel(`GitLab CI Auth (secrets test window ${disposables.length})`, { log: true });
  const service = registerDiagnostics({ subscriptions } as unknown as vscode.ExtensionContext, log, nodePlatform(), [store]);
  disposables.push(log, ...subscriptions);
  return service;
}
