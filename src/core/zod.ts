/**
 * The one place the project imports zod; use it as `import * as z from './zod'`. `zod/mini` (the same engine and
 * messages as classic zod, with a functional API) keeps the extension bundle small: classic zod would also bundle every
 * locale's messages. Mini starts without messages, so English ones are configured here, once: settings problems show
 * zod's message to the user. Re-exported with `export *` (not as a namespace object) so the bundler can drop what is unused.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
