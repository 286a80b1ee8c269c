/**
 * Where the GitLab connection keeps its state, apart from the code that uses it: the always-loaded stand-in
 * (lazyGitLab.ts) reads these keys to decide whether to load the GitLab implementation at all.
 */
import type * as vscode from 'vscode';

/** globalState: the connections the user confirmed, by instance origin (never a token). */
export const CONNECTIONS_KEY = 'gitlabCiAuth.gitlab.connections';
/** globalState: registry tokens created through the extension (description and expiry only), for expiry warnings. */
export const CREATED_TOKENS_KEY = 'gitlabCiAuth.gitlab.createdTokens';
/** SecretStorage: a connection's token, under this prefix plus the instance origin. */
export const TOKEN_SECRET_PREFIX = 'gitlabCiAuth.gitlab.token:';

/** True when a GitLab connection is stored (by this window or another one sharing globalState). */
export function hasStoredConnection(state: vscode.Memento): boolean {
  return Object.keys(state.get<Record<string, unknown>>(CONNECTIONS_KEY, {})).length > 0;
}

/** True when there is a connection or a created token whose expiry the GitLab implementation warns about. */
export function hasStoredGitLabState(state: vscode.Memento): boolean {
  return hasStoredConnection(state) || state.get<readonly unknown[]>(CREATED_TOKENS_KEY, []).length > 0;
}
