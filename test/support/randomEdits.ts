/** Seeded random line edits of YAML text, for the differential tests of incremental parsing and checking. */

/** mulberry32: a tiny seeded PRNG (the bench's generator uses the same one), so a failing seed replays exactly. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EditVocabulary {
  /** Text typed into a line at a random column. */
  readonly typed: readonly string[];
  /** Whole lines inserted. */
  readonly inserted: readonly string[];
  /** Lines an edit is aimed at half the time (or the line just after one): what many jobs share. */
  readonly aimed?: RegExp;
}

/** One random edit of one line of `text`: type, delete, insert, duplicate, re-indent, drop a character, or change its last word. */
export function editRandomLine(text: string, next: () => number, vocabulary: EditVocabulary): string {
  const lines = text.split('\n');
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const aimedAt = vocabulary.aimed;
  const aimed = aimedAt ? lines.flatMap((line, index) => (aimedAt.test(line) ? [index] : [])) : [];
  const at = aimed.length > 0 && next() < 0.5 ? Math.min(lines.length - 1, pick(aimed) + (next() < 0.3 ? 1 : 0)) : Math.floor(next() * lines.length);
  const line = lines[at]!;
  switch (Math.floor(next() * 7)) {
    case 0: {
      const column = Math.floor(next() * (line.length + 1));
      lines[at] = line.slice(0, column) + pick(vocabulary.typed) + line.slice(column);
      break;
    }
    case 1:
      lines.splice(at, 1);
      break;
    case 2:
      lines.splice(at, 0, pick(vocabulary.inserted));
      break;
    case 3:
      lines.splice(at, 0, line);
      break;
    case 4:
      lines[at] = next() < 0.5 ? `  ${line}` : line.replace(/^ {1,2}/, '');
      break;
    case 5: {
      const column = Math.floor(next() * line.length);
      lines[at] = line.slice(0, column) + line.slice(column + 1);
      break;
    }
    default:
      // The bench's edit: a value at the end of a line changes.
      lines[at] = line.replace(/[\w.-]+$/, (word) => `${word}-edited`);
  }
  return lines.join('\n');
}
