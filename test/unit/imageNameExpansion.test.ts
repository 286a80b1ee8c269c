import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandImageName, expandImageNameTracked, registryDependsOnUnknownVariable } from '../../src/core/registry/imageVariables';

// The runner expands variable values once, then the image name; an unknown variable expands to the empty string.
test('expandImageNameTracked: a fully known name is expanded through its variables, nothing unknown', () => {
  const variables = { REGISTRY: 'registry.example.com', IMAGE: '$REGISTRY/group/app', TAG: '1.2' };
  assert.deepEqual(expandImageNameTracked('$IMAGE:${TAG}', variables), {
    expanded: 'registry.example.com/group/app:1.2',
    shown: 'registry.example.com/group/app:1.2',
    unknownVariables: [],
    registryUnknown: false,
  });
});

test('expandImageNameTracked: unknown variables (direct or inside a value) are listed first seen first and expand to nothing', () => {
  const variables = { IMAGE: '$HOST/app', TAG: '$CI_COMMIT_SHA' };
  const result = expandImageNameTracked('$IMAGE:$TAG-$ARCH', variables);
  assert.deepEqual(result, {
    expanded: '/app:-',
    shown: '<HOST>/app:<CI_COMMIT_SHA>-<ARCH>',
    unknownVariables: ['HOST', 'CI_COMMIT_SHA', 'ARCH'],
    registryUnknown: true,
  });
  assert.equal(result.expanded, expandImageName('$IMAGE:$TAG-$ARCH', variables));
  assert.equal(result.registryUnknown, registryDependsOnUnknownVariable('$IMAGE:$TAG-$ARCH', variables));
});

test('expandImageNameTracked: an unknown tag leaves the registry known', () => {
  assert.deepEqual(expandImageNameTracked('registry.example.com/app:$VERSION', {}), {
    expanded: 'registry.example.com/app:',
    shown: 'registry.example.com/app:<VERSION>',
    unknownVariables: ['VERSION'],
    registryUnknown: false,
  });
});

test('expandImageNameTracked: a NUL written in a value (YAML "\\0") is kept, as the runner keeps it', () => {
  const variables = { NAME: 'app\0x' };
  assert.equal(expandImageNameTracked('registry.example.com/$NAME:$TAG', variables).expanded, 'registry.example.com/app\0x:');
});
