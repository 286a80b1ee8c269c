/** The browser entry (package.json `browser`, dist/web/extension.js): the extension on a web worker extension host. */
import type * as vscode from 'vscode';
import { activateWith, type ExtensionApi } from '../activate';
import { browserPlatform } from './platform';

export { deactivate, type ExtensionApi } from '../activate';

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  return activateWith(context, browserPlatform());
}
