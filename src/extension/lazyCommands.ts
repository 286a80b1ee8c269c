import type * as Commands from './commands';

/**
 * The command-only UI: dist/commands.js next to dist/extension.js (out/src/extension/commands.js when compiled by
 * tsc), loaded on first use so activation neither loads nor parses it.
 */
export function loadCommands(): typeof Commands {
  return require('./commands') as typeof Commands;
}
