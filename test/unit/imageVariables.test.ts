import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandImageName, expandVariables, registryDependsOnUnknownVariable } from '../../src/core/registry/imageVariables';

const known = (values: Record<string, string>) => (name: string) => values[name];

describe('expandVariables (GitLab Runner ExpandValue = Go os.Expand + Variables.Get)', () => {
  it('expands $VAR and ${VAR}', () => {
    const lookup = known({ CI_REGISTRY: 'registry.example.com:5000', TAG: '1.2' });
    assert.equal(expandVariables('$CI_REGISTRY/app:${TAG}', lookup), 'registry.example.com:5000/app:1.2');
  });

  it('turns an unknown variable into the empty string', () => {
    assert.equal(expandVariables('$MISSING/app', known({})), '/app');
  });

  it('looks ${VAR:-default} up as a variable literally named "VAR:-default"', () => {
    assert.equal(expandVariables('${HOST:-docker.io}/app', known({ HOST: 'registry.example.com' })), '/app');
    assert.equal(expandVariables('${HOST:-docker.io}/app', known({ 'HOST:-docker.io': 'x.example' })), 'x.example/app');
  });

  it('turns $$ into $ and keeps a trailing or lone $', () => {
    assert.equal(expandVariables('a$$b', known({ b: 'nope' })), 'a$b');
    assert.equal(expandVariables('price$', known({})), 'price$');
    assert.equal(expandVariables('a $ b', known({})), 'a $ b');
  });

  it('expands positional and special parameters to nothing, and eats bad ${ syntax', () => {
    assert.equal(expandVariables('x$1y', known({ '1': 'one' })), 'xy');
    assert.equal(expandVariables('x${}y', known({})), 'xy');
    assert.equal(expandVariables('x${y', known({})), 'xy');
  });

  it('is one pass: a value holding $OTHER is not expanded again', () => {
    assert.equal(expandVariables('$A', known({ A: '$B', B: 'b' })), '$B');
  });

  it('stops a name at the first character that is not a letter, digit or underscore', () => {
    assert.equal(expandVariables('$REG.example.com/$NS-app', known({ REG: 'r', NS: 'team' })), 'r.example.com/team-app');
  });
});

describe('expandImageName (variables expanded once, then the image)', () => {
  it('expands a job variable that refers to a predefined one', () => {
    const variables = { CI_REGISTRY_IMAGE: 'registry.example.com/group/app', IMAGE: '$CI_REGISTRY_IMAGE/tools' };
    assert.equal(expandImageName('$IMAGE:1', variables), 'registry.example.com/group/app/tools:1');
  });
});

describe('registryDependsOnUnknownVariable', () => {
  it('is true when the host part is a variable nobody knows', () => {
    assert.equal(registryDependsOnUnknownVariable('$PRIVATE_REGISTRY/app:1', {}), true);
    assert.equal(registryDependsOnUnknownVariable('registry.example.com:$PORT/app', {}), true);
    assert.equal(registryDependsOnUnknownVariable('$IMAGE', {}), true);
    assert.equal(registryDependsOnUnknownVariable('$CI_REGISTRY_IMAGE:latest', {}), true);
  });

  it('is false when only the path, tag or digest is unknown', () => {
    assert.equal(registryDependsOnUnknownVariable('registry.example.com:5000/$PROJECT/app:$TAG', {}), false);
    assert.equal(registryDependsOnUnknownVariable('node:$NODE_VERSION', {}), false);
    assert.equal(registryDependsOnUnknownVariable('alpine@$DIGEST', {}), false);
  });

  it('is false once the variable is known, even through another variable', () => {
    assert.equal(registryDependsOnUnknownVariable('$REG/app', { REG: 'registry.example.com' }), false);
    assert.equal(registryDependsOnUnknownVariable('$IMAGE', { IMAGE: '$REG/app', REG: 'registry.example.com' }), false);
    assert.equal(registryDependsOnUnknownVariable('$IMAGE', { IMAGE: '$REG/app' }), true);
  });

  it('is false without variables', () => {
    assert.equal(registryDependsOnUnknownVariable('registry.example.com/app', {}), false);
  });
});
