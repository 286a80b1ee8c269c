/**
 * `include:` resolution in GitLab's order: a file's includes are merged first, in order (a later one wins), then the
 * file's own content wins over all of them (deep merge of top-level keys). Local files are read from the project;
 * project, template, remote and component includes are asked of `ExternalIncludes` and otherwise recorded as unresolved.
 */
import type { IncludeDecision, PipelineFile, ProjectFiles, SourceSpan, UnresolvedInclude } from '../types';
import { emptyMap, entryValue, mapWithEntryVia, mergeEntries, scalarText, type CiEntry, type CiMap, type CiReference, type CiValue } from './ciValue';
import type { ResolveContext } from './context';
import { decideIncludeRules, expandKnownVariables } from './includeConditions';
import { createInterpolator, plainValue, readInputSpecs, resolveInputValues, withRubyNumbers, type ProvidedInput } from './inputs';
import type { ExternalIncludeRequest, ExternalIncludes } from './options';
import type { ResolveCache } from './cache';
import { convertContent, convertDocument, readPipelineFile, type ParsedFile } from '../yaml/reader';

/** Which project a file belongs to: `local` includes inside it are read from there. */
type FileScope = { readonly kind: 'root' } | { readonly kind: 'project'; readonly project: string; readonly ref: string | undefined };

interface IncludeItem {
  readonly kind: UnresolvedInclude['kind'];
  /** As written (before variable expansion), for messages. */
  readonly location: string;
  readonly span: SourceSpan;
  readonly local?: string;
  readonly request?: ExternalIncludeRequest;
  /** True when the location names a variable GitLab would expand but we do not know. */
  readonly unknownVariable: boolean;
  readonly inputs: ReadonlyMap<string, ProvidedInput>;
  /** The entry's `rules:` and the hash holding them. */
  readonly rules?: { readonly value: CiValue; readonly span: SourceSpan };
}

/** The merged configuration of all files plus what a caller needs to explain it. */
export interface LoadedPipeline {
  readonly config: CiMap;
  readonly files: readonly PipelineFile[];
  readonly unresolvedIncludes: readonly UnresolvedInclude[];
  readonly includeDecisions: readonly IncludeDecision[];
  readonly references: readonly CiReference[];
  /** Position of each file's own content in the merge order (later wins); a file merged twice keeps its last. */
  readonly mergeOrder: ReadonlyMap<string, number>;
  /** Merge position of the last unresolved include, or -1. Content merged before it may be overridden by it. */
  readonly lastUnresolvedOrder: number;
  /** Some include could not be read (unresolved or not found): a missing name may be defined there. */
  readonly incomplete: boolean;
}

const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export class IncludeLoader {
  /** The files read so far, in first-read order (what a check stopped part-way still shows findings in). */
  readonly files: PipelineFile[] = [];
  private readonly seenFiles = new Set<string>();
  private readonly parsed = new Map<string, ParsedFile>();
  private readonly contents = new Map<string, CiValue | undefined>();
  private readonly unresolved: UnresolvedInclude[] = [];
  private readonly decisions = new Map<string, IncludeDecision>();
  private projectFileList: readonly string[] | undefined;
  private readonly references: CiReference[] = [];
  private readonly mergeOrder = new Map<string, number>();
  private order = 0;
  private lastUnresolvedOrder = -1;
  private includesUsed = 0;
  private missingIncludes = 0;
  private includeLimitReported = false;

  constructor(
    private readonly projectFiles: ProjectFiles,
    private readonly ctx: ResolveContext,
    private readonly variables: Readonly<Record<string, string>>,
    private readonly external: ExternalIncludes | undefined,
    private readonly cache?: ResolveCache,
  ) {}

  /** Loads the root file and everything it includes. */
  load(rootFile: string, rootText: string, rootInputs: Readonly<Record<string, string>>): LoadedPipeline {
    const provided = new Map<string, ProvidedInput>(Object.entries(rootInputs));
    const config = this.loadFile(rootFile, rootText, provided, undefined, { kind: 'root' }, [rootFile]);
    return {
      config,
      files: this.files,
      unresolvedIncludes: this.unresolved,
      includeDecisions: [...this.decisions.values()],
      references: this.references,
      mergeOrder: this.mergeOrder,
      lastUnresolvedOrder: this.lastUnresolvedOrder,
      incomplete: this.unresolved.length > 0 || this.missingIncludes > 0,
    };
  }

  private loadFile(
    path: string,
    text: string,
    provided: ReadonlyMap<string, ProvidedInput>,
    includedAt: SourceSpan | undefined,
    scope: FileScope,
    stack: readonly string[],
  ): CiMap {
    if (!this.seenFiles.has(path)) {
      this.seenFiles.add(path);
      this.files.push({ path, text });
    }
    this.ctx.checkTime();
    const content = this.content(path, text, provided, includedAt);
    if (content?.kind !== 'map') {
      this.mergeOrder.set(path, this.order++);
      return emptyMap({ file: path, start: 0, end: 0 });
    }
    // GitLab deep-merges each include in turn, then the file's own keys: one map filled in that order is the same
    // result without copying the keys merged so far at every include.
    const entries = new Map<string, CiEntry>();
    const include = entryValue(content, 'include');
    if (include) {
      const variables = entryValue(content, 'variables');
      const yamlVariables = new Set(variables?.kind === 'map' ? variables.entries.keys() : []);
      for (const item of this.includeItems(include)) {
        for (const child of this.loadInclude(item, scope, stack, yamlVariables)) mergeEntries(entries, child);
      }
    }
    const own = new Map(content.entries);
    own.delete('include');
    mergeEntries(entries, { ...content, entries: own });
    this.mergeOrder.set(path, this.order++);
    return { kind: 'map', entries, span: content.span, via: [] };
  }

  /** The file's content document, interpolated with its inputs; converted once per distinct set of inputs. */
  private content(path: string, text: string, provided: ReadonlyMap<string, ProvidedInput>, includedAt: SourceSpan | undefined): CiValue | undefined {
    const key = `${path}\u0000${text.length}\u0000${JSON.stringify([...provided].map(([name, value]) => [name, typeof value === 'string' ? value : plainValue(value)]))}`;
    if (this.contents.has(key)) return this.contents.get(key);
    let parsed = this.parsed.get(path);
    if (!parsed || parsed.text !== text) {
      parsed = this.cache ? this.cache.parse(path, text, this.ctx) : readPipelineFile(path, text, this.ctx);
      this.parsed.set(path, parsed);
    }
    let content: CiValue | undefined;
    if (parsed.content || parsed.fast) {
      const onReference = (reference: CiReference): void => void this.references.push(reference);
      if (parsed.header && parsed.content) {
        const header = convertDocument(parsed.header, path, text, this.ctx);
        const specs = readInputSpecs(header);
        const where = includedAt ?? header?.span ?? { file: path, start: 0, end: 0 };
        // Root inputs may still be given when the pipeline is run; an include that omits one is a definite error.
        const given = resolveInputValues(specs, provided, where, this.ctx, includedAt ? 'error' : 'warning');
        const values = withRubyNumbers(given, (file) => (file === path ? text : this.files.find((candidate) => candidate.path === file)?.text));
        content = convertDocument(parsed.content, path, text, this.ctx, { interpolate: createInterpolator(values, specs, this.ctx), onReference });
      } else {
        const file = parsed;
        const convert = (ctx: ResolveContext, onRef: (reference: CiReference) => void) => convertContent(file, ctx, { onReference: onRef });
        content = this.cache ? this.cache.convert(path, text, this.ctx, convert, onReference) : convert(this.ctx, onReference);
      }
    }
    this.contents.set(key, content);
    return content;
  }

  /**
   * The included files' merged contents, each top-level entry marked with the include step. An entry whose `rules:`
   * exclude it is not read (GitLab does not check that it exists either); one whose rules cannot be decided here is
   * read, and then counts as an unresolved include: what it could override is not reported as uncovered.
   */
  private loadInclude(item: IncludeItem, scope: FileScope, stack: readonly string[], yamlVariables: ReadonlySet<string>): CiMap[] {
    if (!item.rules) return this.loadIncludeItem(item, scope, stack);
    // `this.variables` are the CI/CD and predefined ones: GitLab's include rules never see the YAML's `variables:`.
    const decision = decideIncludeRules(item.rules.value, {
      variables: this.variables,
      yamlVariables,
      files: () => (scope.kind === 'root' ? (this.projectFileList ??= this.projectFiles.glob('**')) : undefined),
    });
    const key = `${item.rules.span.file}\u0000${item.rules.span.start}`;
    this.decisions.set(key, { ...decision, span: item.rules.span });
    if (decision.outcome === 'excluded') return [];
    const loaded = this.loadIncludeItem(item, scope, stack);
    if (decision.outcome === 'maybe') this.lastUnresolvedOrder = this.order++;
    return loaded;
  }

  private loadIncludeItem(item: IncludeItem, scope: FileScope, stack: readonly string[]): CiMap[] {
    if (item.unknownVariable) return this.markUnresolved(item, item.request);
    if (item.kind === 'local' && item.local !== undefined) {
      if (scope.kind === 'project') {
        const file = item.local.replace(/^\/+/, '');
        return this.loadExternal(item, { kind: 'project', project: scope.project, file, ...(scope.ref ? { ref: scope.ref } : {}) }, scope, stack);
      }
      const location = item.local.replace(/^\/+/, '');
      const isGlob = location.includes('*');
      const paths = isGlob ? this.projectFiles.glob(location) : [location];
      // A single file is read once, here: it decides between "does not exist" and loading it.
      const singleText = isGlob ? undefined : this.projectFiles.read(location);
      if (paths.length === 0 || (!isGlob && singleText === undefined)) {
        this.ctx.report('include-not-found', 'error', `Included file '${item.location}' does not exist in the project.`, item.span, {
          location: item.location,
        });
        this.missingIncludes++;
        return [];
      }
      const loaded: CiMap[] = [];
      for (const path of paths) {
        if (!this.mayEnter(path, item.span, stack)) continue;
        const text = isGlob ? this.projectFiles.read(path) : singleText;
        if (text === undefined) {
          this.ctx.report('include-not-found', 'error', `Included file '${path}' could not be read.`, item.span, { location: path });
          this.missingIncludes++;
          continue;
        }
        const child = this.loadFile(path, text, item.inputs, item.span, scope, [...stack, path]);
        loaded.push(mapWithEntryVia(child, { kind: 'include', name: path, span: item.span }));
      }
      return loaded;
    }
    return item.request ? this.loadExternal(item, item.request, scope, stack) : [];
  }

  private loadExternal(item: IncludeItem, request: ExternalIncludeRequest, scope: FileScope, stack: readonly string[]): CiMap[] {
    const fetched = this.external?.read(request);
    if (!fetched) return this.markUnresolved(item, request);
    if (!this.mayEnter(fetched.path, item.span, stack)) return [];
    const childScope: FileScope =
      request.kind === 'project' && request.project
        ? { kind: 'project', project: request.project, ref: request.ref }
        : request.kind === 'component' && request.component
          ? componentScope(request.component)
          : scope;
    const child = this.loadFile(fetched.path, fetched.text, item.inputs, item.span, childScope, [...stack, fetched.path]);
    return [mapWithEntryVia(child, { kind: 'include', name: fetched.path, span: item.span })];
  }

  private markUnresolved(item: IncludeItem, request: ExternalIncludeRequest | undefined): CiMap[] {
    this.lastUnresolvedOrder = this.order++;
    const location = request?.kind === 'project' ? `${request.project}:${request.file}${request.ref ? `@${request.ref}` : ''}` : item.location;
    const kind = request?.kind ?? item.kind;
    this.unresolved.push(request ? { kind, location, span: item.span, request } : { kind, location, span: item.span });
    return [];
  }

  /** Enforces the include count, depth and cycle bounds; false means "skip this file". */
  private mayEnter(path: string, span: SourceSpan, stack: readonly string[]): boolean {
    if (stack.includes(path)) {
      this.ctx.report(
        'limit-exceeded',
        'warning',
        `'${path}' includes itself (through ${stack.length - stack.indexOf(path)} file(s)); the cycle is not followed.`,
        span,
      );
      return false;
    }
    if (stack.length > this.ctx.limits.maxIncludeDepth) {
      this.ctx.report('limit-exceeded', 'error', `Includes nested deeper than ${this.ctx.limits.maxIncludeDepth} levels are not followed.`, span);
      return false;
    }
    if (++this.includesUsed > this.ctx.limits.maxIncludes) {
      if (!this.includeLimitReported) {
        this.includeLimitReported = true;
        this.ctx.report('limit-exceeded', 'error', `More than ${this.ctx.limits.maxIncludes} included files: the rest are not read.`, span);
      }
      return false;
    }
    return true;
  }

  /** The `include:` value as a list of items: a string, a list of strings and hashes, or one hash. */
  private includeItems(include: CiValue): IncludeItem[] {
    const values = include.kind === 'seq' ? include.items : [include];
    const items: IncludeItem[] = [];
    for (const value of values) {
      if (value.kind === 'scalar' && typeof value.value === 'string') {
        const expanded = this.expand(value.value);
        const isUrl = URL.test(expanded.text);
        items.push({
          kind: isUrl ? 'remote' : 'local',
          location: value.value,
          span: value.span,
          ...(isUrl ? { request: { kind: 'remote', url: expanded.text } } : { local: expanded.text }),
          unknownVariable: expanded.unknown,
          inputs: new Map(),
        });
      } else if (value.kind === 'map') {
        const item = this.hashItems(value);
        items.push(...item);
      }
    }
    return items;
  }

  private hashItems(hash: CiMap): IncludeItem[] {
    const text = (key: string): { value: string; span: SourceSpan } | undefined => {
      const value = entryValue(hash, key);
      return value?.kind === 'scalar' && value.value !== null ? { value: scalarText(value), span: value.span } : undefined;
    };
    const inputsValue = entryValue(hash, 'inputs');
    const inputs = new Map<string, ProvidedInput>();
    if (inputsValue?.kind === 'map') for (const key of inputsValue.entries.keys()) inputs.set(key, entryValue(inputsValue, key)!);
    const rulesValue = entryValue(hash, 'rules');
    const rules = rulesValue ? { rules: { value: rulesValue, span: hash.span } } : {};
    const make = (kind: IncludeItem['kind'], written: { value: string; span: SourceSpan }, build: (expanded: string) => Partial<IncludeItem>): IncludeItem => {
      const expanded = this.expand(written.value);
      return { kind, location: written.value, span: written.span, unknownVariable: expanded.unknown, inputs, ...rules, ...build(expanded.text) };
    };
    const local = text('local');
    if (local) return [make('local', local, (path) => ({ local: path }))];
    const project = text('project');
    if (project) {
      const ref = text('ref');
      const fileValue = entryValue(hash, 'file');
      const files = fileValue?.kind === 'seq' ? fileValue.items : fileValue ? [fileValue] : [];
      const expandedProject = this.expand(project.value);
      const expandedRef = ref ? this.expand(ref.value) : undefined;
      return files.flatMap((file) => {
        if (file.kind !== 'scalar' || file.value === null) return [];
        const written = { value: scalarText(file), span: file.span };
        const item = make('project', written, (path) => ({
          request: { kind: 'project', project: expandedProject.text, file: path.replace(/^\/+/, ''), ...(expandedRef ? { ref: expandedRef.text } : {}) },
        }));
        const unknown = item.unknownVariable || expandedProject.unknown || expandedRef?.unknown === true;
        return [{ ...item, location: `${project.value}:${written.value}${ref ? `@${ref.value}` : ''}`, unknownVariable: unknown }];
      });
    }
    const template = text('template');
    if (template) return [make('template', template, (name) => ({ request: { kind: 'template', template: name } }))];
    const remote = text('remote');
    if (remote) return [make('remote', remote, (url) => ({ request: { kind: 'remote', url } }))];
    const component = text('component');
    if (component) return [make('component', component, (address) => ({ request: { kind: 'component', component: address } }))];
    return [];
  }

  /** GitLab expands variables in include locations; one we do not know leaves the include unresolved. */
  private expand(location: string): { text: string; unknown: boolean } {
    const expanded = expandKnownVariables(location, this.variables);
    return { text: expanded.text, unknown: expanded.unknown !== undefined };
  }
}

/** `host/group/project/name@version`: local includes inside a component are read from `group/project` at `version`. */
function componentScope(component: string): FileScope {
  const [address = '', version] = component.split('@');
  const segments = address.split('/');
  return { kind: 'project', project: segments.slice(1, -1).join('/'), ref: version };
}
