import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareByteOrder } from '../../src/core/registry/credentialLookup';

// Go's sort.Strings compares UTF-8 bytes: that is code point order, which differs from JavaScript's UTF-16 order
// for characters above U+FFFF (surrogate pairs) against U+E000–U+FFFF.
test('compareByteOrder sorts as Go sorts UTF-8 strings (code point order, not UTF-16 units)', () => {
  const keys = ['😀.example', '\uFF21.example', 'é.example', 'z.example', 'Z.example', 'z', 'z.example:5050'];
  assert.deepEqual([...keys].sort(compareByteOrder), ['Z.example', 'z', 'z.example', 'z.example:5050', 'é.example', '\uFF21.example', '😀.example']);
});

test('compareByteOrder orders two characters above U+FFFF by code point and equal strings as equal', () => {
  assert.ok(compareByteOrder('a😀', 'a😎') < 0); // U+1F600 < U+1F60E
  assert.ok(compareByteOrder('a𐀀', 'a\uFFFF') > 0); // U+10000 > U+FFFF
  assert.equal(compareByteOrder('registry.example.com', 'registry.example.com'), 0);
});
