/**
 * Re-parsing only what an edit changed. A clean single-document file whose root is a block map is a list of
 * top-level items; after an edit, the items around the changed text are parsed again on their own and spliced
 * between the unchanged ones (whose offsets shift by the edit's length change). Whenever that is not certain to give
 * the CST a whole-file parse gives, the answer is undefined and the caller parses the whole file.
 */
import { CST, Parser } from 'yaml';
import { documentLooksClean } from './yamlSyntax';

/** Top-level items kept unchanged on each side of the re-parsed ones, so the edit never touches a boundary item. */
const MARGIN = 1;

/**
 * The CST document of `text`, given the clean single document `previous` of `previousText`; undefined when the
 * edit cannot be re-parsed in part with certainty. `previous` is consumed: its unchanged tokens move into the result
 * (shifted in place), so it must not be used afterwards, whatever the answer.
 */
export function reparseDocument(previous: CST.Document, previousText: string, text: string): CST.Document | undefined {
  const root = previous.value;
  if (root?.type !== 'block-map' || root.indent !== 0 || root.offset !== previous.offset) return undefined;
  const items = root.items;
  const starts = items.map(itemStart);
  if (starts.some((start) => start === undefined)) return undefined;
  const itemStarts = starts as number[];

  // The changed text: [prefix, previousText.length - suffix) before, [prefix, text.length - suffix) after.
  let prefix = 0;
  const shortest = Math.min(previousText.length, text.length);
  while (prefix < shortest && previousText.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && previousText.charCodeAt(previousText.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const delta = text.length - previousText.length;
  const changeEnd = previousText.length - suffix;

  const lastAtOrBefore = (offset: number): number => {
    let found = -1;
    for (let i = 0; i < itemStarts.length && itemStarts[i]! <= offset; i++) found = i;
    return found;
  };
  const first = Math.max(0, lastAtOrBefore(prefix) - MARGIN);
  const last = lastAtOrBefore(changeEnd) + MARGIN;
  // The item after the re-parsed ones is parsed too, as a check that the re-parse ends on the same boundary; without
  // one, the re-parse runs to the end of the file.
  const sentinel = last + 1;
  const toEnd = sentinel >= items.length;
  // From the first item, the re-parse is the whole file's own beginning: nothing may come before that item.
  if (first === 0 && (previous.offset !== 0 || previous.start.length > 0)) return undefined;
  // The re-parse starts at the item's key; the comments and blank lines before it are before the edit, and kept.
  const firstItem = items[first]!;
  if (!firstItem.start.every((token) => token.type === 'comment' || token.type === 'newline' || token.type === 'space')) return undefined;
  const from = itemStart({ ...firstItem, start: [] });
  if (from === undefined || from > prefix) return undefined;

  const to = toEnd ? text.length : sentinel + 1 < items.length ? itemStarts[sentinel + 1]! + delta : text.length;
  const reparsed = parseAlone(text.slice(from, to));
  if (!reparsed) return undefined;
  const newItems = (reparsed.value as CST.BlockMap).items;
  if (newItems.length === 0 || newItems[0]!.start.length > 0 || itemStart(newItems[0]!) !== 0) return undefined;
  let middle: CST.BlockMap['items'];
  let after: CST.BlockMap['items'];
  let end: CST.SourceToken[] | undefined;
  if (toEnd) {
    middle = newItems;
    after = [];
    end = reparsed.end;
    if (end) shiftTree(end, from);
  } else {
    const sentinelAt = itemStarts[sentinel]! + delta - from;
    const sentinelIndex = newItems.findIndex((item) => itemStart(item) === sentinelAt);
    if (sentinelIndex < 1) return undefined;
    middle = newItems.slice(0, sentinelIndex);
    // Later items and the document's end move by the length change.
    after = items.slice(sentinel);
    for (const item of after) shiftTree(item, delta);
    end = previous.end;
    if (end) shiftTree(end, delta);
  }
  for (const item of middle) shiftTree(item, from);
  middle[0] = { ...middle[0]!, start: firstItem.start };
  const document: CST.Document = { ...previous, value: { ...root, items: [...items.slice(0, first), ...middle, ...after] } };
  if (end) document.end = end;
  else delete document.end;
  return documentLooksClean(document) ? document : undefined;
}

/** The document `source` parses to alone, when it is one clean block map at column 0 and nothing else. */
function parseAlone(source: string): CST.Document | undefined {
  let document: CST.Document | undefined;
  try {
    for (const token of new Parser().parse(source)) {
      if (token.type === 'document' && !document) document = token;
      else if (token.type !== 'space' && token.type !== 'comment' && token.type !== 'newline') return undefined;
    }
  } catch {
    return undefined;
  }
  if (!document || document.start.length > 0 || document.offset !== 0) return undefined;
  const value = document.value;
  if (value?.type !== 'block-map' || value.indent !== 0 || value.offset !== 0 || !documentLooksClean(document)) return undefined;
  return document;
}

/** Where an item's text begins: its first token. */
function itemStart(item: CST.BlockMap['items'][number]): number | undefined {
  return item.start[0]?.offset ?? item.key?.offset ?? item.sep?.[0]?.offset ?? item.value?.offset;
}

/** Adds `delta` to every `offset` in a CST subtree, without recursion (nesting may be deep). */
function shiftTree(root: object, delta: number): void {
  if (delta === 0) return;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const next = pending.pop();
    if (Array.isArray(next)) {
      for (const child of next) pending.push(child);
    } else if (next !== null && typeof next === 'object') {
      const record = next as Record<string, unknown>;
      if (typeof record.offset === 'number') record.offset += delta;
      for (const key in record) {
        const child = record[key];
        if (child !== null && typeof child === 'object') pending.push(child);
      }
    }
  }
}
