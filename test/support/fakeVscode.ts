/**
 * A stand-in for the `vscode` module, so a unit test can run an adapter function of src/extension in plain Node.
 * Importing this file (first, before the module under test) makes `require('vscode')` load it. Position, Range, Uri and
 * WorkspaceEdit are small real classes a test can read back; anything else is an inert stub, enough to load a module.
 */
import Module from 'node:module';
import * as path from 'node:path';

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

export class Uri {
  private constructor(readonly path: string) {}
  static file(fsPath: string): Uri {
    return new Uri(path.posix.normalize(fsPath));
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(path.posix.join(base.path, ...segments));
  }
  toString(): string {
    return `file://${this.path}`;
  }
}

export interface Replacement {
  readonly uri: Uri;
  readonly range: Range;
  readonly newText: string;
}

export class WorkspaceEdit {
  readonly replacements: Replacement[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.replacements.push({ uri, range, newText });
  }
}

/** Callable, constructible, indexable: whatever a module does with `vscode` at load time, nothing happens. */
function inert(): unknown {
  const target = function () {};
  return new Proxy(target, {
    get: (_target, property) => (property === 'then' ? undefined : property === Symbol.toPrimitive ? () => '' : inert()),
    apply: () => inert(),
    construct: () => inert() as object,
  });
}

const known: Record<string, unknown> = { Position, Range, Uri, WorkspaceEdit };
const fake = new Proxy(known, { get: (target, property) => (typeof property === 'string' && property in target ? target[property] : inert()) });

const moduleWithResolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? __filename : resolve.call(this, request, ...rest);
};
// `require('vscode')` now resolves to this file; make it export the fake rather than this module's own exports.
require.cache[__filename]!.exports = fake;
