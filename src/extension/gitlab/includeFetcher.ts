/**
 * Fetches a folder's `include: project/template/remote/component` files in the background once connected, and
 * serves them synchronously to the pipeline resolver. New files fire `onDidFetch` so the diagnostics re-run.
 */
import * as vscode from 'vscode';
import { ExternalIncludeCache, type IncludeFetcherOptions } from '../../core/gitlab/externalIncludeCache';
import type { ExternalIncludeRequest, ExternalIncludes } from '../../core/pipeline/options';
import type { GitLabConnections } from './connections';

interface FolderIncludes {
  readonly origin: string;
  cache: ExternalIncludeCache;
  /** What was fetched before a refresh: still served until the refetch of what the pipeline asks for is done. */
  previous?: ExternalIncludeCache;
  /** Serves `cache`, then `previous`. */
  readonly reader: ExternalIncludes;
  /** Fetches run one after another per folder so the same file is never asked for twice at once. */
  queue: Promise<void>;
}

export class IncludeFetcher implements vscode.Disposable {
  private readonly fetched = new vscode.EventEmitter<void>();
  readonly onDidFetch = this.fetched.event;
  private readonly folders = new Map<string, FolderIncludes>();
  /** How each folder's cache reaches GitLab, to start a fresh cache on refresh. */
  private readonly options = new Map<string, IncludeFetcherOptions>();

  constructor(
    private readonly connections: GitLabConnections,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    this.fetched.dispose();
  }

  /** What has been fetched for the folder (answers immediately; undefined when not connected). */
  externalIncludesFor(folder: vscode.WorkspaceFolder): ExternalIncludes | undefined {
    return this.folders.get(folder.uri.toString())?.reader;
  }

  /** The failure text for an include that could not be fetched, for hovers. */
  failureFor(folder: vscode.WorkspaceFolder, request: ExternalIncludeRequest): string | undefined {
    return this.folders.get(folder.uri.toString())?.cache.failureFor(request);
  }

  /** Asks for these includes in the background; nothing happens when not connected or all are known already. */
  request(folder: vscode.WorkspaceFolder, requests: readonly ExternalIncludeRequest[]): void {
    if (requests.length === 0) return;
    void this.fetch(folder, requests);
  }

  /** Forgets every fetched file (the connection changed: what it may read changed too). */
  clear(): void {
    this.folders.clear();
  }

  /**
   * Fetches everything again on the next request (refresh command). Until then the files fetched before are still
   * served, so the diagnostics do not flicker through "unresolved" while GitLab answers.
   */
  refetchAll(): void {
    for (const [key, entry] of this.folders) {
      entry.previous = entry.cache;
      entry.cache = this.newCache(this.options.get(key)!);
    }
  }

  private async fetch(folder: vscode.WorkspaceFolder, requests: readonly ExternalIncludeRequest[]): Promise<void> {
    const access = await this.connections.accessFor(folder);
    if (!access.ok) return;
    const key = folder.uri.toString();
    let entry = this.folders.get(key);
    if (!entry || entry.origin !== access.instance.origin) {
      const options: IncludeFetcherOptions = { api: access.api, instanceHost: access.instance.host, fetchPublic: fetch };
      this.options.set(key, options);
      const created: FolderIncludes = {
        origin: access.instance.origin,
        cache: this.newCache(options),
        queue: Promise.resolve(),
        reader: { read: (request) => created.cache.read(request) ?? created.previous?.read(request) },
      };
      entry = created;
      this.folders.set(key, entry);
    }
    const current = entry;
    current.queue = current.queue.then(async () => {
      const cache = current.cache;
      if (cache.missing(requests).length === 0) return;
      const { fetched, failures } = await cache.prefetch(requests);
      for (const failure of failures) this.log.warn(`Include ${describe(failure.request)} of ${folder.name}: ${failure.message}`);
      const refetched = current.previous !== undefined && cache === current.cache;
      if (refetched) delete current.previous;
      if (fetched > 0 || (refetched && failures.length > 0)) {
        if (fetched > 0) this.log.info(`Fetched ${fetched} external include(s) for ${folder.name}`);
        this.fetched.fire();
      }
    });
    await current.queue;
  }

  private newCache(options: IncludeFetcherOptions): ExternalIncludeCache {
    return new ExternalIncludeCache(options);
  }
}

function describe(request: ExternalIncludeRequest): string {
  switch (request.kind) {
    case 'project':
      return `${request.project}:${request.file}${request.ref ? `@${request.ref}` : ''}`;
    case 'template':
      return `template ${request.template}`;
    case 'remote':
      return request.url ?? '';
    case 'component':
      return `component ${request.component}`;
  }
}
