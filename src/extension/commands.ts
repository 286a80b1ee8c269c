/**
 * The command-only UI, bundled apart as dist/commands.js and loaded on the first run of one of its commands (see
 * `registerOnFirstUse` in lazyCommands.ts), so activation neither loads nor parses it. The build makes every module
 * dist/extension.js or dist/gitlab.js already holds resolve to that bundle's instance (esbuild.config.mjs), so classes,
 * `instanceof` checks and module state stay single.
 */
export { registerWizard } from './wizard/wizard';
export { clearCopiedClipboard } from './wizard/outputs';
export { connectGitLab } from './gitlab/connect';
export { createRegistryTokenInteractively } from './gitlab/registryToken';
export { saveDockerAuthConfigInteractively } from './gitlab/saveAuthConfig';
export { compareWithCiLint } from './gitlab/ciLint';
