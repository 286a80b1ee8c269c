/** Registry tokens created through the extension (description and expiry only), kept for expiry warnings. */
import type * as vscode from 'vscode';
import type { TrackedToken } from '../../core/gitlab/tokenExpiry';
import { CREATED_TOKENS_KEY } from './storageKeys';

export function createdTokens(state: vscode.Memento): TrackedToken[] {
  return state.get<TrackedToken[]>(CREATED_TOKENS_KEY, []);
}

export async function rememberCreatedToken(state: vscode.Memento, token: TrackedToken): Promise<void> {
  await state.update(CREATED_TOKENS_KEY, [...createdTokens(state), token]);
}
