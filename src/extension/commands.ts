/**
 * The command-only UI, required on the first run of one of its commands (`registerOnFirstUse` in lazyCommands.ts), so
 * activation never runs its modules. It is in dist/extension.js like everything else: one instance of every module.
 */
export { registerWizard } from './wizard/wizard';
export { clearCopiedClipboard } from './wizard/outputs';
export { connectGitLab } from './gitlab/connect';
export { createRegistryTokenInteractively } from './gitlab/registryToken';
export { saveDockerAuthConfigInteractively } from './gitlab/saveAuthConfig';
export { compareWithCiLint } from './gitlab/ciLint';
export { runPullChecks } from '../core/registry/pullCheckRun';
