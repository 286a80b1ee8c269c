/** What `Map` and `WeakMap` share, for {@link cachedIn}. */
interface Cache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The value `cache` holds for `key`, computed by `compute` and kept on first use. `compute` never returns undefined. */
export function cachedIn<K, V>(cache: Cache<K, V>, key: K, compute: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}
