/** Registry verification from the extension: trusted workspaces only, under a cancellable progress notification. */
import * as vscode from 'vscode';
import { verifyRegistryCredentials, type VerifyResult } from '../../core/registry/verify';

/** Verifies under a cancellable notification, logging the attempt and its outcome; undefined when the user cancelled. */
export async function verifyWithProgress(
  request: { registry: string; username: string; secret: string; repository?: string; tag?: string },
  timeoutSeconds: number,
  log?: vscode.LogOutputChannel,
  fetchImpl?: typeof fetch,
): Promise<VerifyResult | undefined> {
  // What was tried and how it ended, so a user can follow it in the output channel; never the token.
  const target = request.repository ? `${request.registry}/${request.repository}${request.tag ? `:${request.tag}` : ''}` : request.registry;
  log?.info(vscode.l10n.t('Verifying the credentials of {0} for {1}…', request.username, target));
  const result = await verifyUnlogged(request, timeoutSeconds, fetchImpl);
  if (result === undefined) log?.info(vscode.l10n.t('Verification for {0} cancelled.', request.registry));
  else
    log?.info(
      vscode.l10n.t(
        'Verification for {0}: {1} — {2}',
        request.registry,
        result.status,
        result.detail ? `${result.message} (${result.detail})` : result.message,
      ),
    );
  return result;
}

async function verifyUnlogged(
  request: { registry: string; username: string; secret: string; repository?: string; tag?: string },
  timeoutSeconds: number,
  fetchImpl: typeof fetch | undefined,
): Promise<VerifyResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    return { status: 'unreachable', message: vscode.l10n.t('Verification needs a trusted workspace.') };
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Verifying credentials for {0}…', request.registry), cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        const result = await verifyRegistryCredentials(request, {
          timeoutMs: timeoutSeconds * 1000,
          signal: abort.signal,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        });
        return token.isCancellationRequested ? undefined : result;
      } catch (error) {
        if (token.isCancellationRequested) return undefined;
        return { status: 'unreachable' as const, message: vscode.l10n.t('The check failed: {0}', error instanceof Error ? error.name : String(error)) };
      } finally {
        subscription.dispose();
      }
    },
  );
}
