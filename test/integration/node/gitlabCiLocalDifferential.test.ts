/**
 * Differential test against gitlab-ci-local (the devDependency), on generated pipelines: variable chains of various
 * depth, `expand: false`, `$$` escapes, `${VAR}` braces, global/job/matrix precedence, CI/CD variables (gitlab-ci-local's
 * `--variable`, GitLab's project variables) over YAML ones, job `rules:` with `if:` expressions and `when: never`, and
 * `workflow: rules`. For each job (each matrix instance) it compares the image name GitLab Runner would pull and whether
 * the job runs: ours from src/core, the peer's from the line it prints when it starts a job (`<job> starting <image>`,
 * the image it would pull; its container executable is a stub that succeeds at everything, so nothing is pulled or run
 * and every job it starts is reported).
 *
 * Where gitlab-ci-local is wrong compared with GitLab, the case is a named known peer error (KNOWN_PEER_ERRORS, each
 * with GitLab's source) and only that comparison is skipped. Integration tier: it spawns gitlab-ci-local with Node 24.
 * PEER_DIFF_CASES=<n> runs more pipelines (default 14), PEER_DIFF_SEED=<n> another seed, PEER_DIFF_KEEP=1 keeps the generated projects.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { entryValue, type CiValue } from '../../../src/core/pipeline/ciValue';
import { ResolveContext } from '../../../src/core/pipeline/context';
import { decideIncludeRules } from '../../../src/core/pipeline/includeConditions';
import { DEFAULT_LIMITS, resolvePipeline } from '../../../src/core/pipeline';
import { createDiskProjectFiles } from '../../../src/core/pipeline/diskFiles';
import { expandImageNameTracked, type CollectedVariable } from '../../../src/core/registry/imageVariables';
import { jobVariableValues, variablePrecedence } from '../../../src/core/rules/imageEvaluation';
import { convertContent, readPipelineFile } from '../../../src/core/yaml/reader';
import type { Pipeline, ResolvedJob } from '../../../src/core/types';
import { initGitProject, runGitlabCiLocal } from '../../support/gitlabCiLocal';
import { random } from '../../support/randomEdits';

const CASES = Number(process.env.PEER_DIFF_CASES ?? 14);
const SEED = Number(process.env.PEER_DIFF_SEED ?? 20261204);
/** Two peers at a time: the machine has two cores. */
const PARALLEL = 2;

// ---------------------------------------------------------------------------------------------------------------------
// The generator (seeded)

type YamlVariable = string | { value: string; expand: false };

interface GeneratedRule {
  readonly if?: string;
  readonly when?: 'never' | 'always' | 'on_success';
}

interface GeneratedJob {
  readonly name: string;
  readonly image: string;
  readonly variables: Record<string, YamlVariable>;
  readonly matrix?: Record<string, string[]>;
  readonly rules?: GeneratedRule[];
}

interface GeneratedCase {
  readonly seed: number;
  readonly globals: Record<string, YamlVariable>;
  readonly cicd: Record<string, string>;
  readonly workflow?: GeneratedRule[];
  readonly jobs: GeneratedJob[];
}

/** V1…V6: a variable may refer only to a later one, so no level combination makes a cycle (GitLab refuses those). */
const NAMES = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
/** Referred to in expressions but never defined: null in GitLab. */
const UNDEFINED = 'UNSET_VAR';
const HOSTS = ['registry.example.com', 'alt.example.com:5000', 'main', 'Reg.Example.com', 'x'];

function generateCase(seed: number): GeneratedCase {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  const later = (name: string): string | undefined => {
    const rest = NAMES.slice(NAMES.indexOf(name) + 1);
    return rest.length > 0 ? pick(rest) : undefined;
  };
  const value = (name: string): YamlVariable => {
    const target = later(name);
    const roll = next();
    if (target && roll < 0.3) return `$${target}`; // a chain link
    if (target && roll < 0.4) return `\${${target}}`;
    if (target && roll < 0.5) return `${pick(HOSTS)}-$${target}`;
    if (target && roll < 0.57) return { value: `$${target}`, expand: false };
    if (roll < 0.62) return `$$${target ?? 'V1'}`; // an escaped dollar
    if (roll < 0.66) return '';
    return pick(HOSTS);
  };
  const variables = (p: number): Record<string, YamlVariable> => {
    const out: Record<string, YamlVariable> = {};
    for (const name of NAMES) if (chance(p)) out[name] = value(name);
    return out;
  };
  const operand = (): string => (chance(0.5) ? `$${pick([...NAMES, UNDEFINED])}` : chance(0.2) ? 'null' : JSON.stringify(pick(HOSTS)));
  const atom = (): string => {
    const variable = `$${pick([...NAMES, UNDEFINED])}`;
    const roll = next();
    if (roll < 0.15) return variable;
    if (roll < 0.35) return `${variable} == ${operand()}`;
    if (roll < 0.5) return `${operand()} != ${variable}`;
    if (roll < 0.62) return `${variable} =~ ${pick(['/^registry/', '/example\\.com/', '/EXAMPLE/i', '/^x$/', '/:5000$/'])}`;
    if (roll < 0.72) return `${variable} !~ ${pick(['/^main$/', '/alt/', '/^$/'])}`;
    if (roll < 0.82) return `${variable} == $${pick(NAMES)}`;
    return `${variable} == null`;
  };
  const expression = (depth: number): string => {
    if (depth === 0 || chance(0.45)) return atom();
    const joined = `${expression(depth - 1)} ${chance(0.5) ? '&&' : '||'} ${expression(depth - 1)}`;
    return chance(0.4) ? `(${joined})` : joined;
  };
  // `workflow: rules` accept only `when: always|never` (GitLab's schema).
  const rules = (
    whens: readonly (GeneratedRule['when'] | undefined)[] = [undefined, undefined, 'never', 'always', 'on_success'],
    catchAll = 0.35,
  ): GeneratedRule[] => {
    const out: GeneratedRule[] = [];
    const count = 1 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) {
      const when = pick(whens);
      out.push({ if: expression(2), ...(when ? { when } : {}) });
    }
    if (chance(catchAll)) out.push(chance(0.3) ? { when: 'never' } : {});
    return out;
  };
  const image = (): string => {
    const a = pick(NAMES);
    return pick([`$${a}/app:1`, `\${${a}}/group/img:$${pick(NAMES)}-2`, `$${a}/$${pick(NAMES)}:3`, `registry.example.com/$${a}:4`, `$${a}:5`, `$$${a}/x:6`]);
  };
  const cicd: Record<string, string> = {};
  for (const name of NAMES) if (chance(0.25)) cicd[name] = chance(0.2) && later(name) ? `$${later(name)}` : pick(HOSTS);
  const jobs: GeneratedJob[] = [];
  const jobCount = 4 + Math.floor(next() * 4);
  for (let i = 0; i < jobCount; i++) {
    const matrixName = pick(NAMES);
    jobs.push({
      name: `job${i}`,
      image: image(),
      variables: variables(0.25),
      ...(chance(0.25)
        ? { matrix: { [matrixName]: [pick(HOSTS), pick(HOSTS.filter((host) => host !== ''))].filter((v, at, all) => all.indexOf(v) === at) } }
        : {}),
      ...(chance(0.6) ? { rules: rules() } : {}),
    });
  }
  return { seed, globals: variables(0.7), cicd, ...(chance(0.3) ? { workflow: rules([undefined, 'never', 'always'], 0.8) } : {}), jobs };
}

function pipelineYaml(generated: GeneratedCase): string {
  const document: Record<string, unknown> = {};
  if (generated.workflow) document.workflow = { rules: generated.workflow };
  if (Object.keys(generated.globals).length > 0) document.variables = generated.globals;
  for (const job of generated.jobs) {
    document[job.name] = {
      image: job.image,
      ...(Object.keys(job.variables).length > 0 ? { variables: job.variables } : {}),
      ...(job.matrix ? { parallel: { matrix: [job.matrix] } } : {}),
      ...(job.rules ? { rules: job.rules } : {}),
      script: ['true'],
    };
  }
  return stringify(document, { lineWidth: 0 });
}

// ---------------------------------------------------------------------------------------------------------------------
// Known peer errors: where gitlab-ci-local differs from GitLab. Each names what it covers; only that is skipped.

interface KnownPeerError {
  readonly name: string;
  readonly reason: string;
}

const KNOWN_PEER_ERRORS = {
  expandFalse: {
    name: 'expand-false-ignored',
    reason:
      'gitlab-ci-local expands `expand: false` values; GitLab keeps them raw (Entry::Variable ComplexVariable `raw`, ' +
      'Collection#sort_and_expand_all(expand_raw_refs: false), and the runner does not expand a raw value).',
  },
  escapedDollarInValue: {
    name: 'escaped-dollar-expanded-twice',
    reason:
      'gitlab-ci-local turns `$$X` in a variable value into `$X` and then expands it again; GitLab leaves `$$` to the ' +
      'runner (ExpandVariables / Collection::Item keep it), whose single pass makes it a literal `$`.',
  },
  emptyStringTruthy: {
    name: 'empty-string-operand-of-and-or',
    reason:
      'gitlab-ci-local evaluates `&&`/`||` as JavaScript, where "" is falsy; GitLab evaluates them in Ruby ' +
      '(lib/gitlab/ci/pipeline/expression/lexeme/and.rb, or.rb), where "" is truthy (statement_spec.rb: ' +
      '`$EMPTY_VARIABLE && "string"` is true).',
  },
  unsetVariableRegex: {
    name: 'unset-variable-against-regex',
    reason:
      'gitlab-ci-local makes `$UNSET =~ /re/` false and `$UNSET !~ /re/` true whatever the pattern; GitLab matches the ' +
      'pattern against `nil.to_s`, the empty string (lexeme/matches.rb, not_matches.rb: `regexp.scan(text.to_s)`), so a ' +
      'pattern that matches "" (`/^$/`) gives the opposite.',
  },
  workflowNever: {
    name: 'workflow-rules-when-ignored',
    reason:
      'gitlab-ci-local evaluates `workflow: rules` only for their `variables:` and runs the jobs anyway; GitLab creates ' +
      'no pipeline when they exclude it (lib/gitlab/ci/pipeline/chain/evaluate_workflow_rules.rb).',
  },
} as const satisfies Record<string, KnownPeerError>;
// Not generated at all, because gitlab-ci-local then rejects the whole pipeline: a `$` inside a string literal of an
// `if:` (it substitutes variables into the literal; GitLab's lexer keeps "…" as written), and `${VAR}` in an `if:`
// (GitLab's Lexeme::Variable is `$NAME` only and GitLab rejects the file: "rule if invalid expression syntax").

// ---------------------------------------------------------------------------------------------------------------------
// Our side

interface Expectation {
  /** Job name as GitLab shows it (`job: [a, b]` for a matrix instance). */
  readonly name: string;
  readonly runs: boolean;
  readonly image: string;
  /** Known peer errors that make the peer's image (or its decision to run) differ from GitLab's. */
  readonly imageSkip?: KnownPeerError;
  readonly runSkip?: KnownPeerError;
}

/** Every variable name an expression or a value can mention: all known, so an unset one is null (closed world). */
function closedWorld(values: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const world: Record<string, string | null> = { [UNDEFINED]: null };
  for (const name of NAMES) world[name] = Object.hasOwn(values, name) ? values[name]! : null;
  // RuleEnvironment takes the values known here; null is GitLab's nil for a name no variable defines.
  return world as Readonly<Record<string, string>>;
}

/**
 * The variables a `rules:` clause sees: Build::Context#variables_hash, the job's collection `to_hash` (last of a
 * name wins) and NOT expanded (lib/gitlab/ci/build/rules/rule/clause/if.rb passes `context.variables_hash`).
 */
function rulesVariables(collected: readonly CollectedVariable[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (const variable of collected) if (variable.value !== null) hash[variable.key] = variable.value;
  return hash;
}

function decide(rules: CiValue | undefined, values: Readonly<Record<string, string>>): boolean {
  if (!rules) return true;
  const decision = decideIncludeRules(rules, { variables: closedWorld(values), files: () => [] });
  assert.notEqual(decision.outcome, 'maybe', `every variable is known here, yet: ${decision.reason}`);
  return decision.outcome === 'included';
}

/** Names a text refers to, directly or through the values it reaches (for the known-peer-error classification). */
function reachable(text: string, collected: readonly CollectedVariable[]): { raw: boolean; escaped: boolean } {
  const last = new Map<string, CollectedVariable>();
  for (const variable of collected) last.set(variable.key, variable);
  const seen = new Set<string>();
  const queue = [text];
  let raw = false;
  let escaped = false;
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const match of current.replace(/\$\$/g, '').matchAll(/\$\{?(\w+)\}?/g)) {
      const name = match[1]!;
      if (seen.has(name)) continue;
      seen.add(name);
      const variable = last.get(name);
      if (!variable?.value) continue;
      if (variable.raw) raw = true;
      if (variable.value.includes('$$')) escaped = true;
      queue.push(variable.value);
    }
  }
  return { raw, escaped };
}

function usesEmptyOperand(rules: readonly GeneratedRule[] | undefined, values: Readonly<Record<string, string>>): boolean {
  return (rules ?? []).some((rule) => rule.if !== undefined && /&&|\|\|/.test(rule.if) && [...rule.if.matchAll(/\$(\w+)/g)].some((m) => values[m[1]!] === ''));
}

/** A rule comparing a variable without a value to a pattern that matches the empty string (unsetVariableRegex). */
function unsetAgainstEmptyMatch(rules: readonly GeneratedRule[] | undefined, values: Readonly<Record<string, string>>): boolean {
  return (rules ?? []).some(
    (rule) =>
      rule.if !== undefined &&
      [...rule.if.matchAll(/\$(\w+) [=!]~ \/(.*?)\/(i?)/g)].some((m) => !Object.hasOwn(values, m[1]!) && new RegExp(m[2]!, m[3]).test('')),
  );
}

/** The known peer error, if any, that makes gitlab-ci-local decide these rules differently from GitLab. */
function rulesPeerError(rules: readonly GeneratedRule[] | undefined, values: Readonly<Record<string, string>>): KnownPeerError | undefined {
  if (usesEmptyOperand(rules, values)) return KNOWN_PEER_ERRORS.emptyStringTruthy;
  if (unsetAgainstEmptyMatch(rules, values)) return KNOWN_PEER_ERRORS.unsetVariableRegex;
  return undefined;
}

function expectations(generated: GeneratedCase, pipeline: Pipeline, text: string): Expectation[] {
  const ctx = new ResolveContext(DEFAULT_LIMITS);
  const config = convertContent(readPipelineFile('.gitlab-ci.yml', text, ctx), ctx);
  assert.ok(config?.kind === 'map');
  const cicd: CollectedVariable[] = Object.entries(generated.cicd).map(([key, value]) => ({ key, value }));
  // Workflow rules see the pipeline's variables: the YAML's global ones, then CI/CD variables.
  const globals: CollectedVariable[] = Object.entries(pipeline.globalVariables).map(([key, variable]) => ({ key, value: variable.value }));
  const workflowValues = rulesVariables([...globals, ...cicd]);
  const workflow = entryValue(config, 'workflow');
  const pipelineRuns = decide(workflow?.kind === 'map' ? entryValue(workflow, 'rules') : undefined, workflowValues);
  const workflowSkip = !pipelineRuns ? KNOWN_PEER_ERRORS.workflowNever : rulesPeerError(generated.workflow, workflowValues);

  const out: Expectation[] = [];
  const byName = new Map<string, ResolvedJob>(pipeline.jobs.map((job) => [job.name, job]));
  for (const generatedJob of generated.jobs) {
    const job = byName.get(generatedJob.name);
    const jobEntry = entryValue(config, generatedJob.name);
    const rules = jobEntry?.kind === 'map' ? entryValue(jobEntry, 'rules') : undefined;
    const combinations: (Readonly<Record<string, string>> | null)[] = job && job.matrix.length > 0 ? [...job.matrix] : [null];
    for (const combination of combinations) {
      const name = combination ? `${generatedJob.name}: [${Object.values(combination).join(', ')}]` : generatedJob.name;
      if (!job) {
        // src/core left the job out (its rules can only end in `when: never`): it must never run.
        out.push({ name, runs: false, image: '', ...(workflowSkip ? { runSkip: workflowSkip } : {}) });
        continue;
      }
      const collected = variablePrecedence(job, {}, combination, cicd);
      const values = rulesVariables(collected);
      const runs = pipelineRuns && decide(rules, values);
      const image = expandImageNameTracked(job.image!.value, jobVariableValues(job, {}, combination, cicd)).expanded;
      const reach = reachable(job.image!.value, collected);
      const imageSkip = reach.raw ? KNOWN_PEER_ERRORS.expandFalse : reach.escaped ? KNOWN_PEER_ERRORS.escapedDollarInValue : undefined;
      const runSkip = workflowSkip ?? rulesPeerError(generatedJob.rules, values);
      out.push({ name, runs, image, ...(imageSkip ? { imageSkip } : {}), ...(runSkip ? { runSkip } : {}) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// The peer's side

/** `<job name>   starting <image> (<stage>)` for each job gitlab-ci-local starts; matrix names as `job: [a,b]`. */
function peerStarts(stdout: string): Map<string, string> {
  const started = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf(' starting ');
    if (at <= 0 || !line.endsWith(' (test)')) continue;
    started.set(line.slice(0, at).trimEnd().replaceAll(',', ', '), line.slice(at + ' starting '.length, -' (test)'.length));
  }
  return started;
}

/** gitlab-ci-local adds `:latest` to a name without a `:` (GitLab Runner leaves that to Docker: same pull). */
function withPeerTag(image: string): string {
  return image.includes(':') ? image : `${image}:latest`;
}

describe(`gitlab-ci-local differential: generated pipelines (${CASES} cases, seed ${SEED})`, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gcl-diff-'));
  // The peer's container engine: every command succeeds (`create` prints a container id), so the peer starts every job
  // that runs and prints the image it would pull; nothing is pulled or run.
  const engine = path.join(work, 'container-engine-stub');
  fs.writeFileSync(engine, '#!/bin/sh\ncase "$1" in create) echo 0123456789ab ;; esac\nexit 0\n', { mode: 0o755 });
  // PEER_DIFF_KEEP=1 keeps each case's project (and the peer's output in it) to reproduce a mismatch by hand.
  after(() => (process.env.PEER_DIFF_KEEP ? process.stdout.write(`# cases kept in ${work}\n`) : fs.rmSync(work, { recursive: true, force: true })));
  const skipped = new Map<string, number>();
  let compared = 0;
  let imagesCompared = 0;

  test('our image names and run decisions agree with gitlab-ci-local wherever it is right', { timeout: 110_000 }, async () => {
    const mismatches: string[] = [];
    const runCase = async (index: number): Promise<void> => {
      const found: string[] = [];
      const generated = generateCase(SEED + index);
      const folder = path.join(work, `case-${index}`);
      fs.mkdirSync(folder);
      const text = pipelineYaml(generated);
      fs.writeFileSync(path.join(folder, '.gitlab-ci.yml'), text);
      await initGitProject(folder);
      const pipeline = resolvePipeline('.gitlab-ci.yml', createDiskProjectFiles(folder));
      assert.deepEqual(
        pipeline.problems.filter((problem) => problem.severity === 'error'),
        [],
        `case seed ${generated.seed}: our resolver reports errors on\n${text}`,
      );
      const args = ['--container-executable', engine, '--no-color', '--home', path.join(folder, '.home')];
      for (const [key, value] of Object.entries(generated.cicd)) args.push('--variable', `${key}=${value}`);
      const peer = await runGitlabCiLocal(args, { cwd: folder, timeoutMs: 60_000 });
      if (process.env.PEER_DIFF_KEEP) fs.writeFileSync(path.join(folder, 'peer-output.txt'), `${peer.stdout}\n${peer.stderr}`);
      const started = peerStarts(peer.stdout);
      assert.ok(
        /pipeline finished/.test(peer.stdout + peer.stderr),
        `case seed ${generated.seed}: gitlab-ci-local did not run it:\n${peer.stdout}\n${peer.stderr}\n${text}`,
      );
      for (const expected of expectations(generated, pipeline, text)) {
        const where = `seed ${generated.seed} ${expected.name}`;
        if (expected.runSkip) {
          skipped.set(expected.runSkip.name, (skipped.get(expected.runSkip.name) ?? 0) + 1);
          continue;
        }
        compared++;
        const peerImage = started.get(expected.name);
        if ((peerImage !== undefined) !== expected.runs) {
          found.push(`${where}: we say it ${expected.runs ? 'runs' : 'does not run'}, gitlab-ci-local ${peerImage !== undefined ? 'runs' : 'does not run'} it`);
          continue;
        }
        if (!expected.runs || peerImage === undefined) continue;
        if (expected.imageSkip) {
          skipped.set(expected.imageSkip.name, (skipped.get(expected.imageSkip.name) ?? 0) + 1);
          continue;
        }
        imagesCompared++;
        if (withPeerTag(expected.image) !== peerImage)
          found.push(`${where}: image ${JSON.stringify(expected.image)}, gitlab-ci-local ${JSON.stringify(peerImage)}`);
      }
      if (found.length > 0) mismatches.push(...found, `  (pipeline of seed ${generated.seed}, CI/CD variables ${JSON.stringify(generated.cicd)}):\n${text}`);
    };
    let nextCase = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (nextCase < CASES) await runCase(nextCase++);
      }),
    );
    assert.deepEqual(mismatches, []);
    assert.ok(compared > CASES * 3 && imagesCompared > CASES * 2, `only ${compared} run decisions and ${imagesCompared} images compared`);
    const summary = [...skipped].map(([name, count]) => `${name}: ${count}`).join(', ');
    process.stdout.write(`# compared ${compared} run decisions and ${imagesCompared} images; known peer errors skipped: ${summary || 'none'}\n`);
  });
});
