/**
 * Diagnostics for GitLab CI files. Each workspace folder is one project: its root pipeline (plus any open CI file
 * the root does not reach, checked on its own) is resolved with the open documents' unsaved texts, checked by the
 * core, and every finding is published on the file it points into. Re-checks are debounced per folder.
 */
import * as vscode from 'vscode';
import { checkProject, includeVariables, type CheckOptions } from '../core/check';
import { jobPayloadSource, runnerConfigSource } from '../core/registry/credentialSources';
import { Deadline, stoppedMessage } from '../core/deadline';
import { LineIndex } from '../core/lineIndex';
import { directIncludeSites, placeExternalFindings } from '../core/gitlab/externalFindings';
import type { DiskChange } from '../core/pipeline/projectFiles';
import { createResolveCache, type ExternalIncludes, type ResolveCache, type ResolveOptions } from '../core/pipeline';
import type { PullResult } from '../core/registry/pullCheck';
import type { Settings } from '../core/settings';
import type { CredentialSource, Finding, FindingCode, Pipeline, Severity, SourceSpan } from '../core/types';
import type { CollectedVariable } from '../core/registry/imageVariables';
import type { CoverageContributor } from './coverage';
import type { ExternalIncludeSource } from './externalIncludeSource';
import { isCiFileByPath, mayBePipelineFile, projectFileOf, relativePathIn, type ProjectFile } from './documents';
import type { FolderFiles, Platform } from './platform';
import { ruleDocsUri } from './ruleDocs';
import { SettingsReader, affectsSettings } from './settings';

export const DIAGNOSTIC_SOURCE = 'GitLab CI Auth';
const CHANGE_DELAY_MS = 250;
/** The files under a folder's `.git` that say where its remote is (see projectContext). */
const GIT_LOOKUP_FILES = new Set(['.git', '.git/config', '.git/commondir']);

/** One resolved entry file: the root pipeline, or a CI file the root does not include, checked on its own. */
export interface EntryCheck {
  readonly rootFile: string;
  readonly pipeline: Pipeline;
  readonly findings: readonly Finding[];
}

/** The last check of one workspace folder. */
export interface ProjectCheck {
  readonly folder: vscode.WorkspaceFolder;
  readonly settings: Settings;
  readonly options: CheckOptions;
  readonly entries: readonly EntryCheck[];
  /** Every project file the entries read, by project-relative path (fetched include files are not among them). */
  readonly texts: ReadonlyMap<string, ProjectText>;
  /** The inputs it was computed from; equal inputs reuse it. */
  readonly stamp: string;
  /** Whether the check ran past its time budget and was stopped (its `limit-exceeded` is on the root file). */
  readonly stopped: boolean;
}

/** A file's text as the check saw it, with its line index built on first use. */
export class ProjectText {
  private index: LineIndex | undefined;
  constructor(readonly text: string) {}
  get lineIndex(): LineIndex {
    return (this.index ??= new LineIndex(this.text));
  }
}

/** A published diagnostic with the finding it came from (code actions read the finding's data, never the message). */
interface PublishedFinding {
  readonly diagnostic: vscode.Diagnostic;
  readonly finding: Finding;
}

export interface CheckEvent {
  readonly folder: vscode.Uri;
}

/** What code actions, hovers and tests use. */
export interface DiagnosticsService {
  readonly collection: vscode.DiagnosticCollection;
  /** Fires after a folder was checked and its diagnostics published (or cleared). */
  readonly onDidCheck: vscode.Event<CheckEvent>;
  /** The up-to-date check of a document's project (checked now if stale); undefined when the document is not a CI file. */
  projectFor(document: vscode.TextDocument): ProjectCheck | undefined;
  /** The finding behind one of our diagnostics. */
  findingFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Finding | undefined;
  /** The findings behind our published diagnostics that touch `position` (what a hover explains). */
  findingsAt(uri: vscode.Uri, position: vscode.Position): Finding[];
  /** Every published diagnostic with `code`, with its file and the finding behind it. */
  published(code: FindingCode): { readonly uri: vscode.Uri; readonly diagnostic: vscode.Diagnostic; readonly finding: Finding }[];
  /** The up-to-date check of a workspace folder (checked now if stale); undefined when it has no pipeline or is disabled. */
  checkFolder(folder: vscode.WorkspaceFolder): ProjectCheck | undefined;
}

/** Results of the pull check, kept outside the diagnostics; a change (results added or dropped) re-checks every folder. */
export interface PullResultSource {
  readonly onDidChange: vscode.Event<void>;
  /** The results still fresh for a folder, by `PullTarget.key`. */
  resultsFor(folder: vscode.WorkspaceFolder): ((key: string) => PullResult | undefined) | undefined;
}

/** The one conversion from core offsets to a VS Code range. */
export function spanToRange(span: Pick<SourceSpan, 'start' | 'end'>, text: ProjectText): vscode.Range {
  const start = text.lineIndex.positionAt(span.start);
  const end = text.lineIndex.positionAt(span.end);
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

export function fileUri(folder: vscode.WorkspaceFolder, relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

export function registerDiagnostics(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  platform: Platform,
  coverage: readonly CoverageContributor[],
  externalIncludeSource?: ExternalIncludeSource,
  pulls?: PullResultSource,
): DiagnosticsService {
  const service = new DiagnosticsController(log, platform, coverage, externalIncludeSource, pulls);
  context.subscriptions.push(service);
  return service;
}

interface FolderState {
  readonly folder: vscode.WorkspaceFolder;
  last: ProjectCheck | undefined;
  /** Project-relative paths the last check read (the root's includes and any standalone entries). */
  readPaths: ReadonlySet<string>;
  published: ReadonlySet<string>;
  /** Whether one of the project's files was open at the last publication. */
  active: boolean;
  diskGeneration: number;
  /** What checks read, kept until the watcher reports a change (on disk: or a 3 s old read fails its stat check). */
  readonly disk: FolderFiles;
  timer: NodeJS.Timeout | undefined;
  watcher: vscode.FileSystemWatcher | undefined;
}

class DiagnosticsController implements DiagnosticsService, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('gitlab-ci-auth');
  private readonly checked = new vscode.EventEmitter<CheckEvent>();
  readonly onDidCheck = this.checked.event;
  private readonly settings: SettingsReader;
  private readonly folders = new Map<string, FolderState>();
  private readonly publishedByUri = new Map<string, PublishedFinding[]>();
  private coverageGeneration = 0;
  /** Parsed files per folder, so a re-check after an edit parses only the changed file. */
  private readonly parseCaches = new Map<string, ResolveCache>();
  /** Settings by folder URI, parsed once per configuration change instead of on every keystroke, hover and check. */
  private readonly settingsByFolder = new Map<string, Settings>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly platform: Platform,
    private readonly coverage: readonly CoverageContributor[],
    private readonly externalIncludeSource?: ExternalIncludeSource,
    private readonly pulls?: PullResultSource,
  ) {
    this.settings = new SettingsReader(log);
    this.disposables.push(
      this.collection,
      this.checked,
      vscode.workspace.onDidOpenTextDocument((document) => this.documentTouched(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.documentTouched(event.document, CHANGE_DELAY_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.documentClosed(document)),
      // Documents outlive their tabs (VS Code keeps them loaded a while); what the user sees open is the tabs.
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        for (const tab of [...event.opened, ...event.closed]) {
          const uri = tabUri(tab);
          const file = uri && projectFileOf(uri);
          const state = file && this.folders.get(file.folder.uri.toString());
          if (state?.last) this.schedule(state, 0);
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        const affected = [...this.folders.values()].filter((state) => affectsSettings(event, state.folder.uri));
        if (affected.length > 0 || affectsSettings(event)) this.settingsByFolder.clear();
        for (const state of affected) this.schedule(state, 0);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.removed) this.forget(folder);
        // Nested folders read each other's files, and a folder's settings may come from a .code-workspace that changed.
        this.settingsByFolder.clear();
        this.platform.projects.forget();
        for (const state of this.folders.values()) state.disk.clear();
        for (const document of vscode.workspace.textDocuments) this.documentTouched(document, 0);
      }),
      ...[...coverage, ...(pulls ? [pulls] : [])].map((contributor) =>
        contributor.onDidChange(() => {
          this.coverageGeneration++;
          for (const state of this.folders.values()) if (state.last) this.schedule(state, 0);
        }),
      ),
    );
    for (const document of vscode.workspace.textDocuments) this.documentTouched(document, 0);
  }

  dispose(): void {
    for (const state of this.folders.values()) this.forget(state.folder);
    for (const disposable of this.disposables) disposable.dispose();
  }

  projectFor(document: vscode.TextDocument): ProjectCheck | undefined {
    const file = projectFileOf(document.uri);
    if (!file) return undefined;
    const state = this.stateOf(file.folder);
    if (!this.isProjectDocument(document, file, state)) return undefined;
    this.runNow(state);
    return state.last;
  }

  checkFolder(folder: vscode.WorkspaceFolder): ProjectCheck | undefined {
    const state = this.stateOf(folder);
    this.runNow(state);
    return state.last;
  }

  findingFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Finding | undefined {
    const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
    const candidates = (this.publishedByUri.get(uri.toString()) ?? []).filter(
      (published) => published.finding.code === code && published.diagnostic.range.isEqual(diagnostic.range),
    );
    return (candidates.find((published) => published.diagnostic.message === diagnostic.message) ?? candidates[0])?.finding;
  }

  findingsAt(uri: vscode.Uri, position: vscode.Position): Finding[] {
    return (this.publishedByUri.get(uri.toString()) ?? []).filter((entry) => entry.diagnostic.range.contains(position)).map((entry) => entry.finding);
  }

  published(code: FindingCode): { readonly uri: vscode.Uri; readonly diagnostic: vscode.Diagnostic; readonly finding: Finding }[] {
    return [...this.publishedByUri].flatMap(([uri, published]) =>
      published.filter((entry) => entry.finding.code === code).map((entry) => ({ uri: vscode.Uri.parse(uri), ...entry })),
    );
  }

  // ─── Triggers ───────────────────────────────────────────────────────────────

  private documentTouched(document: vscode.TextDocument, delayMs: number): void {
    const file = projectFileOf(document.uri);
    if (!file) return;
    const state = this.stateOf(file.folder);
    if (this.isProjectDocument(document, file, state)) this.schedule(state, delayMs);
  }

  private documentClosed(document: vscode.TextDocument): void {
    const file = projectFileOf(document.uri);
    if (!file) return;
    const state = this.folders.get(file.folder.uri.toString());
    if (state?.last && (state.readPaths.has(file.relativePath) || state.published.has(document.uri.toString()))) this.schedule(state, 0);
  }

  /** A CI file by path, a file the last check read, or (before the first check) any YAML file that the root might include. */
  private isProjectDocument(document: vscode.TextDocument, file: ProjectFile, state: FolderState): boolean {
    const settings = this.settingsOf(file.folder);
    if (!settings.enable) return state.published.size > 0; // so a disable clears what is shown
    if (!mayBePipelineFile(file, settings)) return false;
    return isCiFileByPath(document, file, settings) || state.readPaths.has(file.relativePath) || state.last === undefined;
  }

  private schedule(state: FolderState, delayMs: number): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.run(state);
    }, delayMs);
  }

  private runNow(state: FolderState): void {
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    this.run(state);
  }

  private stateOf(folder: vscode.WorkspaceFolder): FolderState {
    const key = folder.uri.toString();
    let state = this.folders.get(key);
    if (!state) {
      state = {
        folder,
        last: undefined,
        readPaths: new Set(),
        published: new Set(),
        active: false,
        diskGeneration: 0,
        disk: this.platform.folderFiles(folder),
        timer: undefined,
        watcher: undefined,
      };
      this.folders.set(key, state);
    }
    return state;
  }

  private forget(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    const state = this.folders.get(key);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.watcher?.dispose();
    this.publish(state, new Map());
    this.folders.delete(key);
    this.parseCaches.delete(key);
    this.settingsByFolder.delete(key);
    this.platform.projects.forget(folder);
  }

  private settingsOf(folder: vscode.WorkspaceFolder): Settings {
    const key = folder.uri.toString();
    let settings = this.settingsByFolder.get(key);
    if (!settings) {
      settings = this.settings.read(folder.uri);
      this.settingsByFolder.set(key, settings);
    }
    return settings;
  }

  /**
   * Files changed on disk: drop what the disk cache held of them, and re-check when the last check read one, when a
   * YAML file appears or goes (wildcards, missing includes), or when the change reached something cached (a directory
   * moved, a wildcard's listing). Every path is watched, not only YAML: wildcards match any file name, a moved
   * directory is reported once for the directory, and `.git/config` holds the remote.
   */
  private watch(state: FolderState): void {
    if (state.watcher) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(state.folder, '**/*'));
    const onDisk = (uri: vscode.Uri, change: DiskChange) => {
      // Relative to this folder (projectFileOf would pick a nested workspace folder).
      const relativePath = relativePathIn(state.folder.uri, uri);
      if (relativePath === undefined) return;
      const dropped = state.disk.invalidate(relativePath, change);
      if (GIT_LOOKUP_FILES.has(relativePath)) {
        this.platform.projects.forget(state.folder);
        if (state.last) this.schedule(state, CHANGE_DELAY_MS);
        return;
      }
      if (!state.last) return;
      const matters =
        state.readPaths.has(relativePath) ||
        dropped ||
        (change !== 'changed' && mayBePipelineFile({ folder: state.folder, relativePath }, this.settingsOf(state.folder)));
      if (!matters) return;
      state.diskGeneration++;
      this.schedule(state, CHANGE_DELAY_MS);
    };
    watcher.onDidChange((uri) => onDisk(uri, 'changed'));
    watcher.onDidCreate((uri) => onDisk(uri, 'created'));
    watcher.onDidDelete((uri) => onDisk(uri, 'deleted'));
    state.watcher = watcher;
  }

  // ─── Checking ───────────────────────────────────────────────────────────────

  private run(state: FolderState): void {
    let changed = true;
    try {
      changed = this.check(state);
    } catch (error) {
      // Core errors carry no secrets, but keep the log to the error's kind and message.
      this.log.error(vscode.l10n.t('Checking {0} failed: {1}', state.folder.name, error instanceof Error ? error.message : String(error)));
    }
    if (changed) this.checked.fire({ folder: state.folder.uri });
  }

  /** Checks the folder unless its inputs are unchanged; false when nothing was re-published (hovers and code actions land here often). */
  private check(state: FolderState): boolean {
    const { folder } = state;
    const settings = this.settingsOf(folder);
    if (!settings.enable) {
      if (!state.last && state.published.size === 0) return false;
      state.last = undefined;
      state.readPaths = new Set();
      this.publish(state, new Map());
      return true;
    }
    this.watch(state);

    const openDocuments = this.openDocumentsOf(folder, settings);
    const gitlab = this.platform.projects.contextFor(folder, settings);
    const coverage = this.coverageSources(folder);
    const ciCdVariables = this.coverageVariables(folder);
    const stamp = JSON.stringify([
      settings,
      gitlab?.predefinedVariables ?? null,
      coverage,
      ciCdVariables,
      this.coverageGeneration,
      state.diskGeneration,
      [...openDocuments].map(([path, document]) => [path, document.version]),
    ]);
    const unchanged = state.last?.stamp === stamp;
    const project =
      unchanged && state.last
        ? state.last
        : this.checkProjectNow(state, settings, openDocuments, gitlab?.predefinedVariables ?? {}, coverage, ciCdVariables, stamp);
    state.last = project;
    state.readPaths = new Set(project.texts.keys());
    // Where files are read asynchronously (the browser), the check may have missed files not read yet: publish once
    // a check sees every file it asks for, so no "not found" shows for a file that is only on its way.
    const reading = state.disk.fetchMissing?.();
    if (reading) {
      void reading.then(() => {
        if (this.folders.get(folder.uri.toString()) !== state) return;
        state.diskGeneration++;
        this.schedule(state, 0);
      });
      return false;
    }

    // Publish only while one of the project's files is open in an editor; an included file opened alone reports through the root.
    const shown = shownUris();
    // A check stopped by its time budget is shown whenever one of the folder's CI files is open, even one it never reached:
    // its warnings must not vanish quietly.
    const reached = (path: string) => project.stopped || project.texts.has(path);
    const active = [...openDocuments].some(([path, document]) => reached(path) && (document.isDirty || shown.has(document.uri.toString())));
    if (unchanged && active === state.active) return false;
    state.active = active;
    this.publish(state, active ? this.diagnosticsOf(project) : new Map());
    return true;
  }

  private openDocumentsOf(folder: vscode.WorkspaceFolder, settings: Settings): Map<string, vscode.TextDocument> {
    const open = new Map<string, vscode.TextDocument>();
    for (const document of vscode.workspace.textDocuments) {
      const file = projectFileOf(document.uri);
      if (file && file.folder.uri.toString() === folder.uri.toString() && mayBePipelineFile(file, settings)) open.set(file.relativePath, document);
    }
    return new Map([...open].sort(([a], [b]) => a.localeCompare(b)));
  }

  private coverageSources(folder: vscode.WorkspaceFolder): CredentialSource[] {
    const sources: CredentialSource[] = [];
    for (const contributor of this.coverage) {
      try {
        sources.push(...contributor.sourcesFor(folder));
      } catch (error) {
        this.log.warn(vscode.l10n.t('A credential source failed: {0}', error instanceof Error ? error.message : String(error)));
      }
    }
    return sources;
  }

  /** GitLab's visible CI/CD variables (and hidden ones as unknown), from the contributors that know them. */
  private coverageVariables(folder: vscode.WorkspaceFolder): CollectedVariable[] {
    const variables: CollectedVariable[] = [];
    for (const contributor of this.coverage) {
      try {
        if (contributor.variablesFor) variables.push(...contributor.variablesFor(folder));
      } catch (error) {
        this.log.warn(vscode.l10n.t('A credential source failed: {0}', error instanceof Error ? error.message : String(error)));
      }
    }
    return variables;
  }

  private checkProjectNow(
    state: FolderState,
    settings: Settings,
    openDocuments: ReadonlyMap<string, vscode.TextDocument>,
    predefinedVariables: Readonly<Record<string, string>>,
    coverage: readonly CredentialSource[],
    ciCdVariables: readonly CollectedVariable[],
    stamp: string,
  ): ProjectCheck {
    const { folder } = state;
    const started = Date.now();
    const overlay = new Map([...openDocuments].map(([path, document]) => [path, document.getText()]));
    const files = state.disk.files(overlay);
    const credentials: CredentialSource[] = [...coverage];
    if (settings.runnerCoveredRegistries.length > 0) credentials.push(runnerConfigSource(settings.runnerCoveredRegistries));
    if (predefinedVariables['CI_REGISTRY']) credentials.push(jobPayloadSource(predefinedVariables));
    const pullResults = this.pulls?.resultsFor(folder);
    const options: CheckOptions = {
      credentials,
      predefinedVariables,
      ciCdVariables,
      publicRegistries: [...settings.publicRegistries, ...settings.additionalPublicRegistries],
      ignoredRegistries: settings.ignoredRegistries,
      severities: settings.severity,
      ...(pullResults ? { pullResults } : {}),
    };

    const entries: EntryCheck[] = [];
    const texts = new Map<string, ProjectText>();
    const externalIncludes = this.externalIncludeSource?.externalIncludesFor(folder);
    const cacheKey = folder.uri.toString();
    // One budget for the whole folder: the host is never blocked much longer than it, whatever the files hold.
    const deadline = new Deadline(settings.checkTimeBudgetMs);
    const cache = this.parseCaches.get(cacheKey) ?? createResolveCache();
    this.parseCaches.set(cacheKey, cache);
    const addEntry = (rootFile: string) => {
      // Fetched include files are no files of the folder: their findings move onto the include entry that read them.
      const externalPaths = new Set<string>();
      const recording: ExternalIncludes | undefined = externalIncludes && {
        read(request) {
          const file = externalIncludes.read(request);
          if (file) externalPaths.add(file.path);
          return file;
        },
      };
      const resolve: ResolveOptions = { variables: includeVariables(options), cache, deadline, ...(recording ? { externalIncludes: recording } : {}) };
      const checked = checkProject(rootFile, files, { ...options, resolve, deadline });
      const { pipeline } = checked;
      const isExternal = (path: string) => externalPaths.has(path);
      const findings =
        externalPaths.size === 0
          ? checked.findings
          : placeExternalFindings({ pipeline, findings: checked.findings, isExternal, directSites: () => directIncludeSites(rootFile, files, resolve) });
      entries.push({ rootFile, pipeline, findings });
      // Fetched in the background when connected; their arrival fires a coverage change and a re-check.
      const wanted = pipeline.unresolvedIncludes.flatMap((include) => (include.request ? [include.request] : []));
      if (wanted.length > 0) this.externalIncludeSource?.requestIncludes(folder, wanted);
      for (const file of pipeline.files) if (!isExternal(file.path) && !texts.has(file.path)) texts.set(file.path, new ProjectText(file.text));
    };
    if (files.read(settings.ciConfigPath) !== undefined) addEntry(settings.ciConfigPath);
    for (const [path, document] of openDocuments) {
      const file = projectFileOf(document.uri);
      if (file && !texts.has(path) && isCiFileByPath(document, file, settings)) addEntry(path);
    }
    this.log.debug(`checked ${folder.name}: ${entries.length} pipeline(s), ${texts.size} file(s) in ${Date.now() - started} ms`);
    const stopMessage = stoppedMessage(deadline.budgetMs);
    const stopped = entries.some((entry) => entry.findings.some((finding) => finding.code === 'limit-exceeded' && finding.message === stopMessage));
    return { folder, settings, options, entries, texts, stamp, stopped };
  }

  /** Diagnostics by file URI, every finding once (the core already applied the severity settings and dropped 'off' codes). */
  private diagnosticsOf(project: ProjectCheck): Map<string, PublishedFinding[]> {
    const byUri = new Map<string, PublishedFinding[]>();
    const seen = new Set<string>();
    for (const entry of project.entries) {
      for (const finding of entry.findings) {
        const key = JSON.stringify([finding.code, finding.range, finding.message]);
        if (seen.has(key)) continue;
        seen.add(key);
        const text = project.texts.get(finding.range.file);
        if (!text) continue;
        const diagnostic = toDiagnostic(finding, text, project);
        const uri = fileUri(project.folder, finding.range.file).toString();
        const published = byUri.get(uri);
        if (published) published.push({ diagnostic, finding });
        else byUri.set(uri, [{ diagnostic, finding }]);
      }
    }
    return byUri;
  }

  private publish(state: FolderState, byUri: ReadonlyMap<string, PublishedFinding[]>): void {
    for (const uri of state.published) {
      if (byUri.has(uri)) continue;
      this.collection.delete(vscode.Uri.parse(uri));
      this.publishedByUri.delete(uri);
    }
    for (const [uri, published] of byUri) {
      this.collection.set(
        vscode.Uri.parse(uri),
        published.map((entry) => entry.diagnostic),
      );
      this.publishedByUri.set(uri, published);
    }
    state.published = new Set(byUri.keys());
  }
}

function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  if (tab.input instanceof vscode.TabInputText) return tab.input.uri;
  if (tab.input instanceof vscode.TabInputTextDiff) return tab.input.modified;
  return undefined;
}

/** The documents open in an editor tab, as URI strings. */
function shownUris(): Set<string> {
  const uris = new Set<string>();
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const uri = tabUri(tab);
      if (uri) uris.add(uri.toString());
    }
  }
  return uris;
}

const DIAGNOSTIC_SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function toDiagnostic(finding: Finding, text: ProjectText, project: ProjectCheck): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(spanToRange(finding.range, text), finding.message, DIAGNOSTIC_SEVERITY[finding.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  const page = ruleDocsUri(finding.code);
  diagnostic.code = page ? { value: finding.code, target: page } : finding.code;
  const related = finding.related.flatMap((location) => {
    const relatedText = project.texts.get(location.span.file);
    if (!relatedText) return [];
    return [
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(fileUri(project.folder, location.span.file), spanToRange(location.span, relatedText)),
        location.message,
      ),
    ];
  });
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}
