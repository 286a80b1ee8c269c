import * as fs from 'node:fs';
import * as path from 'node:path';

/** Files this large are no log, setting or state file of ours; the integration scans skip them. */
export const maxScannedBytes = 20_000_000;

/** Every regular file under `dir` (none if it does not exist), smaller than `maxBytes` when given, for the scans that a token never reaches a plain file. */
export function filesUnder(dir: string, maxBytes?: number): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, maxBytes);
    return entry.isFile() && (maxBytes === undefined || fs.statSync(full).size < maxBytes) ? [full] : [];
  });
}
