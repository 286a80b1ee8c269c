/**
 * Shared reading of yaml's CST (the tokens of `new Parser().parse(text)`), and a quick walk that tells whether yaml's
 * Composer could find a syntax error in a document. The walk follows the Composer's own checks but only needs to be
 * cautious: when it answers "maybe", the loader asks the Composer for the exact errors.
 */
import { CST } from 'yaml';

type Token = CST.Token;
type SourceToken = CST.SourceToken;

/** What the tokens before a node say about it: its anchor, tag and indicator (`?`, `:`, `-`), as yaml's `resolveProps`. */
export interface NodeProps {
  readonly anchor: SourceToken | undefined;
  readonly tag: SourceToken | undefined;
  readonly found: SourceToken | undefined;
  readonly comma: SourceToken | undefined;
  readonly hasComment: boolean;
  readonly hasNewline: boolean;
  readonly newlineAfterProp: SourceToken | undefined;
  readonly start: number;
  /** Where the tokens end (`offset` when there are none). */
  readonly end: number;
  /** The Composer would report an error about these tokens. */
  readonly bad: boolean;
}

export interface PropsOptions {
  readonly flow: boolean;
  readonly indicator: string;
  readonly next: Token | undefined;
  readonly offset: number;
  readonly parentIndent: number;
  readonly startOnNewline: boolean;
}

/** A port of yaml's `resolveProps` that records whether it would report an error instead of reporting it. */
export function readProps(tokens: readonly SourceToken[], options: PropsOptions): NodeProps {
  const { flow, indicator, next, offset, parentIndent, startOnNewline } = options;
  let atNewline = startOnNewline;
  let hasSpace = startOnNewline;
  let hasComment = false;
  let hasNewline = false;
  let reqSpace = false;
  let tab: SourceToken | undefined;
  let anchor: SourceToken | undefined;
  let tag: SourceToken | undefined;
  let newlineAfterProp: SourceToken | undefined;
  let comma: SourceToken | undefined;
  let found: SourceToken | undefined;
  let start: number | undefined;
  let bad = false;
  for (const token of tokens) {
    if (reqSpace) {
      if (token.type !== 'space' && token.type !== 'newline' && token.type !== 'comma') bad = true;
      reqSpace = false;
    }
    if (tab) {
      if (atNewline && token.type !== 'comment' && token.type !== 'newline') bad = true;
      tab = undefined;
    }
    switch (token.type) {
      case 'space':
        if (!flow && (indicator !== 'doc-start' || next?.type !== 'flow-collection') && token.source.includes('\t')) tab = token;
        hasSpace = true;
        break;
      case 'comment':
        if (!hasSpace) bad = true;
        hasComment = true;
        atNewline = false;
        break;
      case 'newline':
        atNewline = true;
        hasNewline = true;
        if (anchor || tag) newlineAfterProp = token;
        hasSpace = true;
        break;
      case 'anchor':
        if (anchor || token.source.endsWith(':')) bad = true;
        anchor = token;
        start ??= token.offset;
        atNewline = false;
        hasSpace = false;
        reqSpace = true;
        break;
      case 'tag':
        if (tag) bad = true;
        tag = token;
        start ??= token.offset;
        atNewline = false;
        hasSpace = false;
        reqSpace = true;
        break;
      case indicator:
        if (anchor || tag || found) bad = true;
        found = token;
        atNewline = indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
        hasSpace = false;
        break;
      case 'comma':
        // outside a flow collection a comma is as unexpected as any other token
        if (comma || !flow) bad = true;
        if (flow) comma = token;
        atNewline = false;
        hasSpace = false;
        break;
      default:
        bad = true;
        atNewline = false;
        hasSpace = false;
    }
  }
  const last = tokens[tokens.length - 1];
  const end = last ? last.offset + last.source.length : offset;
  if (reqSpace && next && next.type !== 'space' && next.type !== 'newline' && next.type !== 'comma' && (next.type !== 'scalar' || next.source !== '')) bad = true;
  if (tab && ((atNewline && 'indent' in tab && (tab as { indent: number }).indent <= parentIndent) || next?.type === 'block-map' || next?.type === 'block-seq')) bad = true;
  return { anchor, tag, found, comma, hasComment, hasNewline, newlineAfterProp, start: start ?? end, end, bad };
}

/** Where yaml places an empty scalar (a key or value left out): after the last token that is not space or comment. */
export function emptyScalarPosition(offset: number, before: readonly SourceToken[] | undefined): number {
  if (!before) return offset;
  for (let i = before.length - 1; i >= 0; --i) {
    let token = before[i]!;
    if (token.type === 'space' || token.type === 'comment' || token.type === 'newline') {
      offset -= token.source.length;
      continue;
    }
    token = before[++i]!;
    while (token?.type === 'space') {
      offset += token.source.length;
      token = before[++i]!;
    }
    break;
  }
  return offset;
}

/** The offset after a node's trailing tokens (comments, line break), as yaml's `resolveEnd` counts it. */
export function endOffset(end: readonly SourceToken[] | undefined, offset: number): number {
  if (end) for (const token of end) offset += token.source.length;
  return offset;
}

/** False when yaml's `resolveEnd` would report an error about a node's trailing tokens. */
export function endsCleanly(end: readonly SourceToken[] | undefined, strict: boolean): boolean {
  if (!end) return true;
  let hasSpace = false;
  for (const token of end) {
    if (token.type === 'space' || token.type === 'newline') hasSpace = true;
    else if (token.type !== 'comment' || (strict && !hasSpace)) return false;
  }
  return true;
}

function containsNewline(key: Token | null | undefined): boolean {
  if (!key) return false;
  switch (key.type) {
    case 'alias':
    case 'scalar':
    case 'double-quoted-scalar':
    case 'single-quoted-scalar':
      return key.source.includes('\n') || (key.end?.some((token) => token.type === 'newline') ?? false);
    case 'flow-collection':
      return key.items.some(
        (item) =>
          item.start.some((token) => token.type === 'newline') ||
          (item.sep?.some((token) => token.type === 'newline') ?? false) ||
          containsNewline(item.key) ||
          containsNewline(item.value),
      );
    default:
      return true;
  }
}

const isBlock = (token: Token | null | undefined): boolean => token?.type === 'block-map' || token?.type === 'block-seq';
const BAD_PLAIN_START = new Set(['\t', ',', '%', '|', '>', '@', '`']);

/**
 * False when yaml's Composer could report an error (or a tag it may not resolve cleanly) for this document; true means
 * it certainly reports none. Throws a RangeError on absurd nesting, as the Composer does.
 */
export function documentLooksClean(document: CST.Document): boolean {
  const props = readProps(document.start, { flow: false, indicator: 'doc-start', next: document.value ?? document.end?.[0], offset: document.offset, parentIndent: 0, startOnNewline: true });
  if (props.bad) return false;
  if (props.found && document.value && isBlock(document.value) && !props.hasNewline) return false;
  if (document.value ? !nodeClean(document.value, props) : !emptyClean(props)) return false;
  return endsCleanly(document.end, false);
}

function emptyClean(props: NodeProps): boolean {
  return !(props.anchor && props.anchor.source === '&') && tagClean(props.tag);
}

// Local tags (`!reference`, `!foo`) and `!` resolve or only warn; `!!` and `%TAG` handles are left to the Composer.
function tagClean(tag: SourceToken | undefined): boolean {
  return !tag || tag.source === '!' || (tag.source.indexOf('!', 1) < 0 && !tag.source.startsWith('!<'));
}

function nodeClean(token: Token, props: NodeProps): boolean {
  if (props.anchor?.source === '&') return false;
  switch (token.type) {
    case 'alias':
      return !props.anchor && !props.tag && token.source.length > 1 && endsCleanly(token.end, true);
    case 'scalar':
      if (BAD_PLAIN_START.has(token.source[0] ?? '')) return false;
      return tagClean(props.tag) && endsCleanly(token.end, true);
    case 'single-quoted-scalar':
      if (token.source.length < 2 || !token.source.endsWith("'")) return false;
      return tagClean(props.tag) && endsCleanly(token.end, true);
    case 'double-quoted-scalar':
    case 'block-scalar': {
      let clean = tagClean(props.tag);
      CST.resolveAsScalar(token, true, () => (clean = false));
      return clean;
    }
    case 'block-map':
    case 'block-seq':
    case 'flow-collection': {
      if (!tagClean(props.tag)) return false;
      if (token.type === 'block-seq') {
        const lastProp = props.anchor && props.tag ? (props.anchor.offset > props.tag.offset ? props.anchor : props.tag) : (props.anchor ?? props.tag);
        if (lastProp && (!props.newlineAfterProp || props.newlineAfterProp.offset < lastProp.offset)) return false;
        return blockSeqClean(token);
      }
      return token.type === 'block-map' ? blockMapClean(token) : flowClean(token);
    }
    default:
      return false;
  }
}

function blockMapClean(map: CST.BlockMap): boolean {
  let commentEnd: number | undefined;
  let offset = map.offset;
  for (const { start, key, sep, value } of map.items) {
    const keyProps = readProps(start, { flow: false, indicator: 'explicit-key-ind', next: key ?? sep?.[0], offset, parentIndent: map.indent, startOnNewline: true });
    if (keyProps.bad) return false;
    const implicitKey = !keyProps.found;
    if (implicitKey) {
      if (key && (key.type === 'block-seq' || ('indent' in key && key.indent !== map.indent))) return false;
      if (!keyProps.anchor && !keyProps.tag && !sep) {
        commentEnd = keyProps.end;
        continue;
      }
      if (keyProps.newlineAfterProp || containsNewline(key)) return false;
    } else if ((keyProps.found as { indent?: number }).indent !== map.indent) return false;
    if (key ? !nodeClean(key, keyProps) : !emptyClean(keyProps)) return false;
    const valueProps = readProps(sep ?? [], { flow: false, indicator: 'map-value-ind', next: value, offset: 0, parentIndent: map.indent, startOnNewline: !key || key.type === 'block-scalar' });
    if (valueProps.bad) return false;
    if (valueProps.found) {
      if (implicitKey) {
        if (value?.type === 'block-map' && !valueProps.hasNewline) return false;
        if (keyProps.start < valueProps.found.offset - 1024) return false;
      }
      if (value ? !nodeClean(value, valueProps) : !emptyClean(valueProps)) return false;
    } else if (implicitKey) return false;
    // Only a map's last items may be comments alone (yaml's 'Map comment with trailing content').
    offset = valueProps.end;
    if (commentEnd !== undefined) return false;
  }
  return true;
}

function blockSeqClean(seq: CST.BlockSequence): boolean {
  let commentSeen = false;
  for (const { start, value } of seq.items) {
    const props = readProps(start, { flow: false, indicator: 'seq-item-ind', next: value, offset: 0, parentIndent: seq.indent, startOnNewline: true });
    if (props.bad) return false;
    if (!props.found) {
      if (props.anchor || props.tag || value) return false;
      commentSeen = true;
      continue;
    }
    if (commentSeen) return false;
    if (value ? !nodeClean(value, props) : !emptyClean(props)) return false;
  }
  return true;
}

function flowClean(flow: CST.FlowCollection): boolean {
  const isMap = flow.start.source === '{';
  const count = flow.items.length;
  for (let i = 0; i < count; ++i) {
    const { start, key, sep, value } = flow.items[i]!;
    const props = readProps(start, { flow: true, indicator: 'explicit-key-ind', next: key ?? sep?.[0], offset: 0, parentIndent: flow.indent, startOnNewline: false });
    if (props.bad) return false;
    if (!props.found) {
      if (!props.anchor && !props.tag && !sep && !value) {
        if ((i === 0 && props.comma) || i < count - 1) return false;
        continue;
      }
      if (!isMap && containsNewline(key)) return false;
    }
    if (i === 0 ? props.comma : !props.comma) return false;
    if (!isMap && !sep && !props.found) {
      if (isBlock(value) || (value ? !nodeClean(value, props) : !emptyClean(props))) return false;
      continue;
    }
    if (isBlock(key) || (key ? !nodeClean(key, props) : !emptyClean(props))) return false;
    const valueProps = readProps(sep ?? [], { flow: true, indicator: 'map-value-ind', next: value, offset: 0, parentIndent: flow.indent, startOnNewline: false });
    if (valueProps.bad) return false;
    if (valueProps.found) {
      if (!isMap && !props.found) {
        for (const token of sep ?? []) {
          if (token === valueProps.found) break;
          if (token.type === 'newline') return false;
        }
        if (props.start < valueProps.found.offset - 1024) return false;
      }
    } else if (value) return false;
    if (value && (isBlock(value) || !nodeClean(value, valueProps))) return false;
    if (!value && valueProps.found && !emptyClean(valueProps)) return false;
  }
  const [close, ...rest] = flow.end;
  if (close?.source !== (isMap ? '}' : ']')) return false;
  return endsCleanly(rest, true);
}
