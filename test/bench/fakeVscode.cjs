// A stand-in for the `vscode` module, good enough to load the bundle and run activate() for a timing approximation.
// Every property is a callable, constructible stub; events return disposables; collections are empty; nothing is shown.
'use strict';

const calls = { count: 0 };

function stub(name) {
  const target = function () {};
  const assigned = new Map();
  return new Proxy(target, {
    set(_target, property, value) {
      assigned.set(property, value);
      return true;
    },
    get(_target, property) {
      if (assigned.has(property)) return assigned.get(property);
      if (property === 'then') return undefined; // not a promise
      if (property === Symbol.toPrimitive) return () => '';
      if (property === Symbol.iterator) return function* () {};
      if (property === 'length') return 0;
      if (property === 'toString' || property === 'toJSON') return () => '';
      return stub(`${name}.${String(property)}`);
    },
    apply() {
      calls.count++;
      return stub(`${name}()`);
    },
    construct() {
      calls.count++;
      return stub(`new ${name}`);
    },
  });
}

// Bundlers copy a module's own properties (esbuild's __toESM), so every top-level name of the API must be one.
const apiNames = new Set();
try {
  const typings = require('fs').readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  for (const match of typings.matchAll(/^\s*export (?:namespace|class|enum|const|function|let) (\w+)/gm)) apiNames.add(match[1]);
} catch {
  // Without the typings only the names accessed directly resolve.
}

const api = { calls };
for (const name of apiNames) api[name] = stub(name);
api.workspace = new Proxy(
  { workspaceFolders: [], textDocuments: [], isTrusted: true },
  { get: (target, property) => (property in target ? target[property] : stub(`workspace.${String(property)}`)) },
);
module.exports = api;
