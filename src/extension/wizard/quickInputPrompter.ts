/**
 * The wizard's {@link Prompter} on VS Code's QuickPick and InputBox: a title with "step N of M", a Back button on
 * every step, `ignoreFocusOut` so switching to the browser to create a token does not lose the flow, and
 * validation as the user types.
 */
import * as vscode from 'vscode';
import type { InputOptions, PickItem, PickManyOptions, PickOptions, Prompter, PromptButton, PromptResult } from '../../core/wizard/prompter';

interface ButtonWithId extends vscode.QuickInputButton {
  readonly id: string;
}

interface ItemWithValue<T> extends vscode.QuickPickItem {
  readonly value?: T;
  readonly source?: PickItem<T>;
}

export class QuickInputPrompter implements Prompter {
  pick<T>(options: PickOptions<T>): Promise<PromptResult<T>> {
    return this.showPick(options, false).then((result) => (result.kind === 'value' ? { kind: 'value', value: result.value[0]! } : result));
  }

  pickMany<T>(options: PickManyOptions<T>): Promise<PromptResult<readonly T[]>> {
    return this.showPick(options, true, options.pickedValues);
  }

  private showPick<T>(options: PickOptions<T>, canSelectMany: boolean, pickedValues: readonly T[] = []): Promise<PromptResult<readonly T[]>> {
    const quickPick = vscode.window.createQuickPick<ItemWithValue<T>>();
    quickPick.title = options.title;
    quickPick.step = options.step;
    quickPick.totalSteps = options.totalSteps;
    quickPick.placeholder = options.placeholder;
    quickPick.ignoreFocusOut = true;
    quickPick.canSelectMany = canSelectMany;
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.buttons = [vscode.QuickInputButtons.Back];

    const items: ItemWithValue<T>[] = [];
    for (const item of options.items) {
      if (item.groupLabel !== undefined) items.push({ label: item.groupLabel, kind: vscode.QuickPickItemKind.Separator });
      items.push({
        label: item.label,
        ...(item.description !== undefined ? { description: item.description } : {}),
        ...(item.detail !== undefined ? { detail: item.detail } : {}),
        ...(item.buttons ? { buttons: item.buttons.map(toButton) } : {}),
        value: item.value,
        source: item,
      });
    }
    quickPick.items = items;
    const selectable = items.filter((item) => item.source !== undefined);
    if (canSelectMany) quickPick.selectedItems = selectable.filter((item) => pickedValues.includes(item.value as T));
    const active = selectable.find((item) => options.activeValue !== undefined && item.value === options.activeValue);
    if (active) quickPick.activeItems = [active];

    return run<readonly T[]>(quickPick, (settle) => [
      quickPick.onDidAccept(() => {
        const chosen = canSelectMany ? quickPick.selectedItems : quickPick.activeItems.slice(0, 1);
        if (!canSelectMany && chosen.length === 0) return;
        settle({ kind: 'value', value: chosen.map((item) => item.value as T) });
      }),
      quickPick.onDidTriggerButton((button) => settle(buttonResult(button))),
      quickPick.onDidTriggerItemButton((event) => settle({ kind: 'button', id: (event.button as ButtonWithId).id, item: event.item.value })),
    ]);
  }

  input(options: InputOptions): Promise<PromptResult<string>> {
    const inputBox = vscode.window.createInputBox();
    inputBox.title = options.title;
    inputBox.step = options.step;
    inputBox.totalSteps = options.totalSteps;
    inputBox.prompt = options.prompt;
    inputBox.ignoreFocusOut = true;
    inputBox.password = options.password === true;
    if (options.placeholder !== undefined) inputBox.placeholder = options.placeholder;
    inputBox.value = options.value ?? '';
    if (options.valueSelection) inputBox.valueSelection = [options.valueSelection[0], options.valueSelection[1]];
    inputBox.buttons = [vscode.QuickInputButtons.Back, ...(options.buttons ?? []).map(toButton)];
    // Only complain once the user has typed: an empty box on arrival is not an error yet.
    const validate = (value: string): void => {
      inputBox.validationMessage = value === '' ? undefined : options.validate(value);
    };

    return run<string>(inputBox, (settle) => [
      inputBox.onDidChangeValue(validate),
      inputBox.onDidAccept(() => {
        const problem = options.validate(inputBox.value);
        inputBox.validationMessage = problem;
        if (problem === undefined) settle({ kind: 'value', value: inputBox.value });
      }),
      inputBox.onDidTriggerButton((button) => settle(buttonResult(button))),
    ]);
  }
}

function toButton(button: PromptButton): ButtonWithId {
  return { id: button.id, iconPath: new vscode.ThemeIcon(button.icon), tooltip: button.tooltip };
}

function buttonResult(button: vscode.QuickInputButton): PromptResult<never> {
  if (button === vscode.QuickInputButtons.Back) return { kind: 'back' };
  return { kind: 'button', id: (button as ButtonWithId).id };
}

/** Shows a quick input until one handler settles it or the user dismisses it (Escape = cancel). */
function run<T>(input: vscode.QuickInput, wire: (settle: (result: PromptResult<T>) => void) => vscode.Disposable[]): Promise<PromptResult<T>> {
  return new Promise<PromptResult<T>>((resolve) => {
    let settled = false;
    const disposables: vscode.Disposable[] = [];
    const settle = (result: PromptResult<T>): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      for (const disposable of disposables) disposable.dispose();
      input.dispose();
    };
    disposables.push(
      ...wire(settle),
      input.onDidHide(() => settle({ kind: 'cancel' })),
    );
    input.show();
  });
}
