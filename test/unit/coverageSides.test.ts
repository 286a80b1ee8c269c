// Coverage as the runner sees it: a credential stored in VS Code is known only here and never clears missing-credentials
// on its own. Keys and images follow GitLab Runner's matching (runner-auth-rules.md §2.2 ConfigForImage, §2.4
// convertToRegistryPath, §2.7 job payload).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { explainImage } from '../../src/core/check';
import { saidInGitLabSource, splitCoverage } from '../../src/core/registry/credentialLookup';
import { coverageFromVariables } from '../../src/core/gitlab/variablesCoverage';
import type { CredentialSource } from '../../src/core/types';
import { GITLAB_COM, authConfigSource, check } from './checkSupport';

/** Keys stored in VS Code (the wizard or an import), as the extension's credential store hands them over. */
function storedHere(keys: readonly string[]): CredentialSource {
  return { ...authConfigSource(keys), origin: 'stored-here' };
}

/** GitLab's project DOCKER_AUTH_CONFIG as read while connected (`readVariablesCoverage`), holding `keys`. */
function gitlabVariable(keys: readonly string[]): CredentialSource[] {
  const auths = Object.fromEntries(keys.map((key) => [key, { auth: Buffer.from('ci:fake-token').toString('base64') }]));
  const variable = {
    key: 'DOCKER_AUTH_CONFIG',
    value: JSON.stringify({ auths }),
    variable_type: 'env_var' as const,
    protected: false,
    masked: true,
    hidden: false,
    raw: true,
    environment_scope: '*',
  };
  return coverageFromVariables([{ owner: { level: 'project', path: 'group/app' }, readable: true, variables: [variable] }]).sources as CredentialSource[];
}

const pipeline = (image: string) => `build:\n  image: ${image}\n  script: [make]\n`;

describe('coverage: stored in VS Code only', () => {
  it('a stored key that the runner would match gives credential-not-in-gitlab (information), not a quiet file', () => {
    const result = check(pipeline('registry.example.com/team/app:1.2'), { credentials: [storedHere(['registry.example.com'])] });
    assert.deepEqual(result.of('missing-credentials'), []);
    const [finding, ...rest] = result.of('credential-not-in-gitlab');
    assert.ok(finding, 'the stored credential is said to be known only here');
    assert.equal(rest.length, 0);
    assert.equal(finding.severity, 'information');
    assert.equal(result.underlined(finding), 'registry.example.com/team/app:1.2');
    assert.equal(finding.message, 'Credential for registry.example.com stored in VS Code only (job build)');
    assert.match(finding.detail ?? '', /^Nothing shows that GitLab's DOCKER_AUTH_CONFIG holds the key "registry\.example\.com"/);
    assert.equal(finding.data?.registry, 'registry.example.com');
    assert.equal(finding.data?.storedKey, 'registry.example.com');
    assert.deepEqual(finding.data?.jobs, ['build']);
  });

  it('matches stored keys with the runner rules: scheme keys are host-wide, path keys keep their case, ports must be equal', () => {
    const stored = (key: string, image: string) => check(pipeline(image), { credentials: [storedHere([key])] });
    // §2.4: https:// keys drop their path and lower-case the host.
    assert.equal(stored('https://REGISTRY.example.com/v1/', 'registry.example.com/team/app').of('credential-not-in-gitlab').length, 1);
    // §2.4: the host of a path key is lower-cased, its path keeps its case and must prefix the image's path exactly.
    assert.equal(stored('MY.HOSTNAME/team', 'my.hostname/team/app:1').of('credential-not-in-gitlab').length, 1);
    const otherCase = stored('my.hostname/Team', 'my.hostname/team/app:1');
    assert.equal(otherCase.of('credential-not-in-gitlab').length, 0, 'a stored key the runner would not match is no credential for the image');
    assert.equal(otherCase.of('key-near-miss').length, 1);
    // §2.4 table: registry.example.com ≠ registry.example.com:5000.
    const otherPort = stored('registry.example.com', 'registry.example.com:5000/team/app');
    assert.equal(otherPort.of('credential-not-in-gitlab').length, 0);
    assert.equal(otherPort.of('key-near-miss').length, 1, 'the stored key that misses by the port is named');
  });

  it('a stored credential does not replace a DOCKER_AUTH_CONFIG written in the YAML (the runner never sees the stored one)', () => {
    const yaml = [
      'variables:',
      `  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"$REG_AUTH"}}}'`,
      'a:',
      '  image: registry.example.com/team/app',
      '  script: [x]',
      'b:',
      '  image: other.example.com/team/tool',
      '  script: [x]',
      '',
    ].join('\n');
    const result = check(yaml, { credentials: [storedHere(['other.example.com'])] });
    assert.deepEqual(result.of('missing-credentials'), [], 'the YAML key still covers a');
    assert.deepEqual(
      result.of('credential-not-in-gitlab').map((finding) => finding.data?.registry),
      ['other.example.com'],
    );
  });

  it('GitLab-side sources cover whatever is stored: runner settings, the job token on $CI_REGISTRY and the dependency proxy', () => {
    const runnerSetting: CredentialSource = {
      kind: 'runner-config',
      keys: [{ key: 'registry.example.com', path: 'registry.example.com', via: 'auths', label: 'runner setting' }],
    };
    const covered = check(pipeline('registry.example.com/team/app'), { credentials: [runnerSetting, storedHere(['registry.example.com'])] });
    assert.deepEqual(
      covered.findings.filter((finding) => finding.code !== 'yaml-syntax'),
      [],
    );
    const yaml = 'a:\n  image: registry.gitlab.com/group/project/app\n  services: [gitlab.com:443/group/dependency_proxy/containers/redis:7]\n  script: [x]\n';
    const jobToken = check(yaml, { credentials: [storedHere(['registry.gitlab.com', 'gitlab.com:443'])], predefinedVariables: GITLAB_COM });
    assert.deepEqual(jobToken.of('credential-not-in-gitlab'), []);
    assert.deepEqual(jobToken.of('missing-credentials'), []);
  });
});

describe('coverage: GitLab DOCKER_AUTH_CONFIG read while connected', () => {
  it('with the key in GitLab the image is quiet, and the match names the project variable', () => {
    const credentials = [...gitlabVariable(['registry.example.com']), storedHere(['registry.example.com'])];
    const result = check(pipeline('registry.example.com/team/app'), { credentials });
    assert.deepEqual(result.of('missing-credentials'), []);
    assert.deepEqual(result.of('credential-not-in-gitlab'), []);
    const job = result.pipeline.jobs[0]!;
    const explanation = explainImage(job.image!, job, result.pipeline, { credentials, predefinedVariables: {}, publicRegistries: [] });
    assert.equal(explanation.status, 'covered');
    assert.equal(explanation.match?.origin, 'gitlab-variable');
    assert.equal(explanation.match?.label, 'project variable DOCKER_AUTH_CONFIG (group/app)');
    assert.equal(explanation.storedMatch?.key, 'registry.example.com');
  });

  it('without the key it is missing-credentials saying GitLab’s variable has no key, and that one is stored in VS Code', () => {
    const credentials = [...gitlabVariable(['other.example.com']), storedHere(['registry.example.com'])];
    const result = check(pipeline('registry.example.com/team/app'), { credentials });
    assert.deepEqual(result.of('credential-not-in-gitlab'), []);
    const [finding] = result.of('missing-credentials');
    assert.ok(finding);
    assert.equal(finding.severity, 'warning');
    assert.match(finding.message, /^No credentials for registry\.example\.com in GitLab's DOCKER_AUTH_CONFIG \(job \S+\)$/);
    assert.match(finding.detail ?? '', /^GitLab's project variable DOCKER_AUTH_CONFIG \(group\/app\) has no key for it/);
    assert.match(finding.detail ?? '', /one is stored in VS Code only/);
    assert.equal(finding.data?.gitlabVariable, 'project variable DOCKER_AUTH_CONFIG (group/app)');
    const nothingStored = check(pipeline('registry.example.com/team/app'), { credentials: gitlabVariable(['other.example.com']) }).of('missing-credentials')[0];
    assert.match(nothingStored?.detail ?? '', /has no key for it\.$/);
    assert.doesNotMatch(nothingStored?.detail ?? '', /stored in VS Code/);
  });

  it('a hidden variable is set with unknown contents: neither finding, as before', () => {
    const hidden = coverageFromVariables([
      {
        owner: { level: 'project', path: 'group/app' },
        readable: true,
        variables: [
          { key: 'DOCKER_AUTH_CONFIG', value: null, variable_type: 'env_var', protected: false, masked: true, hidden: true, raw: true, environment_scope: '*' },
        ],
      },
    ]).sources as CredentialSource[];
    const result = check(pipeline('registry.example.com/team/app'), { credentials: [...hidden, storedHere(['registry.example.com'])] });
    assert.deepEqual(result.of('missing-credentials'), []);
    assert.deepEqual(result.of('credential-not-in-gitlab'), []);
  });

  it('a variable read at a group while the project level is unreadable is not taken as the one the runner gets', () => {
    const auths = JSON.stringify({ auths: { 'other.example.com': { auth: Buffer.from('ci:x').toString('base64') } } });
    const sources = coverageFromVariables([
      { owner: { level: 'project', path: 'group/app' }, readable: false, reason: 'needs Maintainer' },
      {
        owner: { level: 'group', path: 'group' },
        readable: true,
        variables: [
          {
            key: 'DOCKER_AUTH_CONFIG',
            value: auths,
            variable_type: 'env_var',
            protected: false,
            masked: false,
            hidden: false,
            raw: true,
            environment_scope: '*',
          },
        ],
      },
    ]).sources as CredentialSource[];
    assert.equal(splitCoverage(sources).gitlabVariable, undefined);
    const result = check(pipeline('registry.example.com/team/app'), { credentials: [...sources, storedHere(['registry.example.com'])] });
    assert.equal(result.of('credential-not-in-gitlab').length, 1);
  });
});

describe('coverage: "GitLab already has it"', () => {
  it('a registry the user said GitLab holds is covered on the runner side', () => {
    const result = check(pipeline('registry.example.com/team/app'), {
      credentials: [storedHere(['registry.example.com']), saidInGitLabSource(['registry.example.com'])],
    });
    assert.deepEqual(result.of('credential-not-in-gitlab'), []);
    assert.deepEqual(result.of('missing-credentials'), []);
  });

  it('is overruled once GitLab’s variable can be read and lacks the key', () => {
    const credentials = [...gitlabVariable(['other.example.com']), storedHere(['registry.example.com']), saidInGitLabSource(['registry.example.com'])];
    assert.equal(check(pipeline('registry.example.com/team/app'), { credentials }).of('missing-credentials').length, 1);
  });
});
