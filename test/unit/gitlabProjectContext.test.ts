import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gitlabContextFromRemote } from '../../src/core/gitlab/projectContext';

describe('gitlabContextFromRemote', () => {
  it('reads a gitlab.com scp-style ssh remote and derives the predefined variables GitLab sets', () => {
    const context = gitlabContextFromRemote('git@gitlab.com:My-Group/Sub/My-Project.git', {});
    assert.ok(context);
    assert.equal(context.instanceUrl, 'https://gitlab.com');
    assert.equal(context.serverHost, 'gitlab.com');
    assert.equal(context.projectPath, 'My-Group/Sub/My-Project');
    assert.deepEqual(context.predefinedVariables, {
      CI_SERVER_HOST: 'gitlab.com',
      CI_SERVER_PORT: '443',
      CI_SERVER_PROTOCOL: 'https',
      CI_SERVER_FQDN: 'gitlab.com',
      CI_SERVER_URL: 'https://gitlab.com',
      CI_REGISTRY: 'registry.gitlab.com',
      CI_REGISTRY_IMAGE: 'registry.gitlab.com/my-group/sub/my-project',
      CI_PROJECT_PATH: 'My-Group/Sub/My-Project',
      CI_PROJECT_NAMESPACE: 'My-Group/Sub',
      CI_PROJECT_ROOT_NAMESPACE: 'My-Group',
      CI_PROJECT_NAME: 'My-Project',
      CI_PROJECT_URL: 'https://gitlab.com/My-Group/Sub/My-Project',
      CI_DEPENDENCY_PROXY_SERVER: 'gitlab.com:443',
      CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: 'gitlab.com:443/my-group/dependency_proxy/containers',
      CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: 'gitlab.com:443/my-group/sub/dependency_proxy/containers',
    });
  });

  it('treats an ssh:// port as the ssh port, not the web port', () => {
    const context = gitlabContextFromRemote('ssh://git@gitlab.example.com:2222/team/app.git', {});
    assert.ok(context);
    assert.equal(context.instanceUrl, 'https://gitlab.example.com');
    assert.equal(context.predefinedVariables.CI_REGISTRY, 'registry.gitlab.example.com');
    assert.equal(context.predefinedVariables.CI_DEPENDENCY_PROXY_SERVER, 'gitlab.example.com:443');
  });

  it('maps gitlab.com ssh-over-443 (altssh) to gitlab.com', () => {
    const context = gitlabContextFromRemote('ssh://git@altssh.gitlab.com:443/group/project.git', {});
    assert.equal(context?.predefinedVariables.CI_REGISTRY, 'registry.gitlab.com');
  });

  it('keeps the web port of an https remote and never keeps credentials from the URL', () => {
    const context = gitlabContextFromRemote('https://oauth2:glpat-FAKEFAKEFAKE@git.example.org:8443/team/app', {});
    assert.ok(context);
    assert.equal(context.instanceUrl, 'https://git.example.org:8443');
    assert.equal(context.predefinedVariables.CI_SERVER_PORT, '8443');
    assert.equal(context.predefinedVariables.CI_DEPENDENCY_PROXY_SERVER, 'git.example.org:8443');
    assert.equal(context.predefinedVariables.CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX, 'git.example.org:8443/team/dependency_proxy/containers');
    assert.ok(!JSON.stringify(context).includes('glpat'), 'the token in the remote leaked');
    assert.ok(!JSON.stringify(context).includes('oauth2'), 'the user in the remote leaked');
  });

  it('uses an http remote default port 80', () => {
    const context = gitlabContextFromRemote('http://gitlab.local/team/app.git', {});
    assert.equal(context?.instanceUrl, 'http://gitlab.local');
    assert.equal(context?.predefinedVariables.CI_DEPENDENCY_PROXY_SERVER, 'gitlab.local:80');
  });

  it('lets the registry host setting win, with a port', () => {
    const context = gitlabContextFromRemote('git@gitlab.example.com:team/App.git', { registryHost: 'gitlab.example.com:5050' });
    assert.equal(context?.predefinedVariables.CI_REGISTRY, 'gitlab.example.com:5050');
    assert.equal(context?.predefinedVariables.CI_REGISTRY_IMAGE, 'gitlab.example.com:5050/team/app');
  });

  it('lets the instance URL setting win and strips its relative root from an https remote path', () => {
    const context = gitlabContextFromRemote('https://example.com/gitlab/team/app.git', { instanceUrl: 'https://example.com/gitlab/' });
    assert.ok(context);
    assert.equal(context.instanceUrl, 'https://example.com/gitlab');
    assert.equal(context.projectPath, 'team/app');
    assert.equal(context.predefinedVariables.CI_SERVER_URL, 'https://example.com/gitlab');
  });

  it('works from settings alone when there is no usable remote', () => {
    const context = gitlabContextFromRemote('', { instanceUrl: 'https://gitlab.example.com', projectPath: 'a/b' });
    assert.equal(context?.predefinedVariables.CI_REGISTRY_IMAGE, 'registry.gitlab.example.com/a/b');
  });

  it('returns null for remotes it cannot read', () => {
    assert.equal(gitlabContextFromRemote('', {}), null);
    assert.equal(gitlabContextFromRemote('/home/me/repos/app.git', {}), null);
    assert.equal(gitlabContextFromRemote('file:///srv/git/app.git', {}), null);
    assert.equal(gitlabContextFromRemote('https://gitlab.com/', {}), null);
    assert.equal(gitlabContextFromRemote('git@gitlab.com:onlyproject.git', {}), null);
  });
});
