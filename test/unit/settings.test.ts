import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTING_KEYS, SETTINGS_SECTION, defaultSettings, parseSettings, type SettingKey } from '../../src/core/settings';

interface ConfigurationProperty {
  readonly default?: unknown;
  readonly additionalProperties?: { readonly enum?: readonly string[] };
}

function manifestProperties(): Record<string, ConfigurationProperty> {
  // out/test/unit → repository root
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, ConfigurationProperty> }[] };
  };
  return Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties));
}

function settingsFrom(values: Partial<Record<SettingKey, unknown>>) {
  return parseSettings((key) => values[key]);
}

test('the schema declares exactly the settings package.json contributes', () => {
  const declared = Object.keys(manifestProperties()).sort();
  assert.deepEqual(SETTING_KEYS.map((key) => `${SETTINGS_SECTION}.${key}`).sort(), declared);
});

test('defaults match package.json for every setting, so an unset value means the same in the Settings UI and in checks', () => {
  const properties = manifestProperties();
  const defaults = defaultSettings() as unknown as Record<string, unknown>;
  const { settings: unset, problems } = settingsFrom({});
  assert.deepEqual(problems, []);
  assert.deepEqual(unset, defaultSettings(), 'nothing set reads as the defaults');
  assert.equal(SETTING_KEYS.length, Object.keys(properties).length);
  for (const key of SETTING_KEYS) {
    // `gitlab.instanceUrl` is `defaults.gitlab.instanceUrl`.
    const value = key.split('.').reduce<unknown>((object, part) => (object as Record<string, unknown>)[part], defaults);
    const property = properties[`${SETTINGS_SECTION}.${key}`];
    assert.ok(property && 'default' in property, `package.json gives ${key} no default`);
    assert.deepEqual(value, property.default, `default of ${key}`);
  }
});

test('the severity levels accepted are the ones package.json offers', () => {
  const offered = manifestProperties()['gitlabCiAuth.severity']!.additionalProperties!.enum!;
  for (const level of offered) {
    const { settings, problems } = settingsFrom({ severity: { 'missing-credentials': level } });
    assert.deepEqual(problems, []);
    assert.equal(settings.severity['missing-credentials'], level);
  }
});

test('valid values pass through, lists are trimmed and de-duplicated', () => {
  const { settings, problems } = settingsFrom({
    enable: false,
    publicRegistries: [' registry.example.com ', 'registry.example.com', '', 'ghcr.io/my-org'],
    severity: { 'missing-credentials': 'error', 'registry-unknown': 'off' },
    'gitlab.instanceUrl': 'https://gitlab.example.com/',
    'gitlab.registryHost': 'https://registry.example.com:5050',
    'gitlab.projectPath': '/group/sub/project.git',
    ciConfigPath: './ci/pipeline.yml',
  });
  assert.deepEqual(problems, []);
  assert.equal(settings.enable, false);
  assert.deepEqual(settings.publicRegistries, ['registry.example.com', 'ghcr.io/my-org']);
  assert.deepEqual(settings.severity, { 'missing-credentials': 'error', 'registry-unknown': 'off' });
  assert.equal(settings.gitlab.instanceUrl, 'https://gitlab.example.com');
  assert.equal(settings.gitlab.registryHost, 'registry.example.com:5050');
  assert.equal(settings.gitlab.projectPath, 'group/sub/project');
  assert.equal(settings.ciConfigPath, 'ci/pipeline.yml');
});

test('one bad value falls back to its default and is reported, the others are kept', () => {
  const { settings, problems } = settingsFrom({
    enable: 'yes',
    runnerCoveredRegistries: ['registry.example.com'],
    verifyTimeoutSeconds: 0,
  });
  assert.equal(settings.enable, true);
  assert.equal(settings.verifyTimeoutSeconds, 15);
  assert.deepEqual(settings.runnerCoveredRegistries, ['registry.example.com']);
  assert.deepEqual(
    problems.map((problem) => problem.key),
    ['gitlabCiAuth.enable', 'gitlabCiAuth.verifyTimeoutSeconds'],
  );
});

test('a severity for an unknown code or with an unknown level is dropped, the valid ones stay', () => {
  const { settings, problems } = settingsFrom({
    severity: { 'missing-credentials': 'error', 'no-such-rule': 'off', 'registry-unknown': 'loud' },
  });
  assert.deepEqual(settings.severity, { 'missing-credentials': 'error' });
  assert.equal(problems.length, 2);
  assert.ok(problems.every((problem) => problem.key === 'gitlabCiAuth.severity'));
});

test('a CI configuration path outside the folder or in another project falls back to .gitlab-ci.yml', () => {
  for (const ciConfigPath of ['../other/.gitlab-ci.yml', '/etc/ci.yml', '.gitlab-ci.yml@group/other-project', 'https://example.com/ci.yml', '  ']) {
    const { settings, problems } = settingsFrom({ ciConfigPath });
    assert.equal(settings.ciConfigPath, '.gitlab-ci.yml', ciConfigPath);
    assert.equal(problems.length, 1, ciConfigPath);
  }
});

test('an instance URL without a scheme is reported; a problem never repeats the value', () => {
  const { settings, problems } = settingsFrom({ 'gitlab.instanceUrl': 'gitlab.secret-host.example' });
  assert.equal(settings.gitlab.instanceUrl, '');
  assert.equal(problems.length, 1);
  assert.ok(!problems[0]!.message.includes('secret-host'));
});

test('a list holding a non-string is rejected as a whole', () => {
  const { settings, problems } = settingsFrom({ ignoredRegistries: ['registry.example.com', 42] });
  assert.deepEqual(settings.ignoredRegistries, []);
  assert.deepEqual(
    problems.map((problem) => problem.key),
    ['gitlabCiAuth.ignoredRegistries'],
  );
});
