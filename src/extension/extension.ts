/** The desktop entry (package.json `main`, dist/extension.js): the extension on the Node extension host. */
import type * as vscode from 'vscode';
import { activateWith, type ExtensionApi } from './activate';
import { nodePlatform } from './node/platform';

export { deactivate, type ExtensionApi } from './activate';

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  return activateWith(context, nodePlatform());
}
