/**
 * Every command id the extension registers, in one place (package.json `contributes.commands` lists the same ids).
 * Kept free of imports so the main bundle can name the lazily loaded commands without loading them.
 */
export const COMMAND_CONFIGURE_CREDENTIALS = 'gitlabCiAuth.configureCredentials';
export const COMMAND_MANAGE_CREDENTIALS = 'gitlabCiAuth.manageCredentials';
export const COMMAND_IMPORT_AUTH_CONFIG = 'gitlabCiAuth.importAuthConfig';
export const COMMAND_COPY_AUTH_CONFIG = 'gitlabCiAuth.copyAuthConfig';
export const COMMAND_TREAT_AS_PUBLIC = 'gitlabCiAuth.treatAsPublic';
export const COMMAND_MOVE_CREDENTIALS = 'gitlabCiAuth.moveCredentialsOutOfFile';
export const COMMAND_CONNECT_GITLAB = 'gitlabCiAuth.connectGitLab';
export const COMMAND_REFRESH_GITLAB = 'gitlabCiAuth.refreshGitLab';
export const COMMAND_CREATE_REGISTRY_TOKEN = 'gitlabCiAuth.createRegistryToken';
export const COMMAND_COMPARE_WITH_CI_LINT = 'gitlabCiAuth.compareWithCiLint';
export const COMMAND_MARK_IN_GITLAB = 'gitlabCiAuth.markInGitLab';
export const COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB = 'gitlabCiAuth.saveAuthConfigToGitLab';
export const COMMAND_CHECK_PULLS = 'gitlabCiAuth.checkPulls';
