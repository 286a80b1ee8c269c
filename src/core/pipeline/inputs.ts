/**
 * `spec: inputs:` headers and `$[[ inputs.name ]]` interpolation. GitLab interpolates a file with the inputs its
 * `include:` passes (or the pipeline inputs for the root file), falling back to each input's `default:`.
 */
import type { SourceSpan } from '../types';
import { entryValue, scalarText, type CiValue } from './ciValue';
import type { ResolveContext } from './context';
import type { Interpolator } from '../yaml/reader';

export interface InputSpec {
  readonly name: string;
  readonly keySpan: SourceSpan;
  readonly defaultValue: CiValue | undefined;
}

/** The inputs declared by a header document (`spec: inputs: name: {default: ...}`), in order. */
export function readInputSpecs(header: CiValue | undefined): Map<string, InputSpec> {
  const specs = new Map<string, InputSpec>();
  if (header?.kind !== 'map') return specs;
  const spec = entryValue(header, 'spec');
  const inputs = spec?.kind === 'map' ? entryValue(spec, 'inputs') : undefined;
  if (inputs?.kind !== 'map') return specs;
  for (const [name, entry] of inputs.entries) {
    const definition = entry.value;
    const defaultValue = definition.kind === 'map' ? entryValue(definition, 'default') : undefined;
    specs.set(name, { name, keySpan: entry.keySpan, defaultValue });
  }
  return specs;
}

/** An input value given by an `include: inputs:` entry (a YAML value) or on the command line (a string). */
export type ProvidedInput = CiValue | string;

/**
 * Each declared input's value: the provided one, else its default. A missing input without a default is reported
 * (`input-missing`) at `where` (the `include:` that should have passed it, or the header for the root file).
 */
export function resolveInputValues(
  specs: ReadonlyMap<string, InputSpec>,
  provided: ReadonlyMap<string, ProvidedInput>,
  where: SourceSpan,
  ctx: ResolveContext,
  severity: 'error' | 'warning' = 'error',
): Map<string, ProvidedInput> {
  const values = new Map<string, ProvidedInput>();
  for (const spec of specs.values()) {
    const value = provided.get(spec.name) ?? spec.defaultValue;
    if (value === undefined) {
      ctx.report('input-missing', severity, `Input '${spec.name}' has no value and no default.`, where, { input: spec.name }, [
        { span: spec.keySpan, message: `'${spec.name}' is declared here` },
      ]);
      continue;
    }
    values.set(spec.name, value);
  }
  return values;
}

/**
 * A number as Ruby prints it (Float#to_s), which is what GitLab interpolates: a YAML float keeps its `.0`
 * (`1.0` → `1.0`, `1e3` → `1000.0`), exponent form from 1e16 and below 1e-4 (`1.0e+16`, `1.0e-05`); an integer as is.
 * `source` is the scalar as written: only it tells `1.0` from `1`.
 */
export function rubyNumberText(value: number, source: string): string {
  const written = source.trim().replace(/_/g, '');
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (!/^[-+]?(\d*\.\d*([eE][-+]?\d+)?|\d+[eE][-+]?\d+)$/.test(written)) return String(value);
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  let text: string;
  if (exponent >= 16 || exponent < -4) {
    const fraction = digits.slice(1) || '0';
    text = `${digits[0]}.${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else if (exponent < 0) {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else {
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    text = `${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  return negative ? `-${text}` : text;
}

/** Number inputs rewritten as the text Ruby would interpolate, reading each one's source from `textOf(file)`. */
export function withRubyNumbers(values: ReadonlyMap<string, ProvidedInput>, textOf: (file: string) => string | undefined): Map<string, ProvidedInput> {
  const result = new Map(values);
  for (const [name, value] of values) {
    if (typeof value === 'string' || value.kind !== 'scalar' || typeof value.value !== 'number') continue;
    const source = textOf(value.span.file)?.slice(value.span.start, value.span.end);
    if (source !== undefined) result.set(name, rubyNumberText(value.value, source));
  }
  return result;
}

// `$[[ expression ]]` on one line; the expression stops at the next `$[[`, so a line of many unclosed blocks is
// scanned once (the expression is trimmed where it is used).
const BLOCK = /\$\[\[((?:[^\]$\n\r\u2028\u2029]|\](?!\])|\$(?!\[\[))*)\]\]/g;

function inputText(value: ProvidedInput): string {
  if (typeof value === 'string') return value;
  if (value.kind === 'scalar') return scalarText(value);
  return JSON.stringify(plainValue(value));
}

/** The value as plain JSON data (for array inputs written into a string, and for cache keys). */
export function plainValue(value: CiValue): unknown {
  switch (value.kind) {
    case 'scalar':
      return value.value;
    case 'seq':
      return value.items.map(plainValue);
    case 'map':
      return Object.fromEntries([...value.entries].map(([key, entry]) => [key, plainValue(entry.value)]));
    case 'reference':
      return { '!reference': value.path };
  }
}

// POSIX shell quoting as Ruby's Shellwords.escape does it.
function posixEscape(text: string): string {
  if (text === '') return "''";
  return text.replace(/[^A-Za-z0-9_\-.,:+/@\n]/g, '\\$&').replace(/\n/g, "'\n'");
}

function applyFunction(text: string, call: string): string {
  const truncate = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(call);
  if (truncate) return text.slice(Number(truncate[1]), Number(truncate[1]) + Number(truncate[2]));
  if (call === 'posix_escape') return posixEscape(text);
  // `expand_vars` expands CI/CD variables GitLab knows; before `$VAR` expansion the value is unchanged.
  return text;
}

/**
 * An interpolator for one file. A scalar that is exactly one `$[[ inputs.x ]]` becomes the input's value itself
 * (keeping its type and, for an `include: inputs:` value, its span); otherwise each block is replaced by text.
 * Unknown inputs are reported and left as written.
 */
export function createInterpolator(values: ReadonlyMap<string, ProvidedInput>, specs: ReadonlyMap<string, InputSpec>, ctx: ResolveContext): Interpolator {
  return (text, span) => {
    let whole: CiValue | string | undefined;
    const replaced = text.replace(BLOCK, (block, expression: string) => {
      const [reference, ...calls] = expression.split('|').map((part) => part.trim());
      const name = /^inputs\.([\w-]+)$/.exec(reference ?? '')?.[1];
      const value = name === undefined ? undefined : values.get(name);
      if (value === undefined) {
        if (name !== undefined && specs.has(name)) return block; // declared without a value: reported once already
        ctx.report('input-missing', 'error', `Unknown interpolation '${block}': no such input in this file's spec.`, span, name ? { input: name } : undefined);
        return block;
      }
      if (block === text && calls.length === 0) whole = value;
      return calls.reduce(applyFunction, inputText(value));
    });
    return whole ?? replaced;
  };
}
