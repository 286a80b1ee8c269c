/** Registry tokens created through the extension (description and expiry only), kept for expiry warnings. */
import type * as vscode from 'vscode';
import type { TrackedToken } from '../../core/gitlab/tokenExpiry';

const createdTokensKey = 'gitlabCiAuth.gitlab.createdTokens';

export function createdTokens(state: vscode.Memento): TrackedToken[] {
  return state.get<TrackedToken[]>(createdTokensKey, []);
}

export async function rememberCreatedToken(state: vscode.Memento, token: TrackedToken): Promise<void> {
  await state.update(createdTokensKey, [...createdTokens(state), token]);
}
