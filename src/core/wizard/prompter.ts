/**
 * What the credential wizard needs from a user interface, as plain data. The extension implements it with
 * QuickPick/InputBox; unit tests implement it with a scripted fake. Back and cancel are results, not exceptions,
 * so every step handles them explicitly.
 */

/** Where a prompt sits in the flow: shown as the title and "step N of M". */
export interface StepPosition {
  readonly title: string;
  readonly step: number;
  readonly totalSteps: number;
}

/** A button on a prompt or on one item (e.g. "open the page that creates this token"). */
export interface PromptButton {
  readonly id: string;
  readonly tooltip: string;
  /** A codicon name, e.g. "link-external". */
  readonly icon: string;
}

export interface PickItem<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
  readonly buttons?: readonly PromptButton[];
  /** A separator line above this item, with this text. */
  readonly groupLabel?: string;
}

export interface PickOptions<T> extends StepPosition {
  readonly placeholder: string;
  readonly items: readonly PickItem<T>[];
  /** The value to highlight first (what the user chose last time through this step). */
  readonly activeValue?: T;
}

export interface PickManyOptions<T> extends PickOptions<T> {
  readonly pickedValues: readonly T[];
}

export interface InputOptions extends StepPosition {
  readonly prompt: string;
  readonly placeholder?: string;
  readonly value?: string;
  /** Selected part of `value` as [start, end), so the user types over a template such as `<name>.azurecr.io`. */
  readonly valueSelection?: readonly [number, number];
  /** Masked input for secrets; the value is never echoed. */
  readonly password?: boolean;
  /** Returns an error message for the current text, or undefined when it is acceptable. */
  readonly validate: (value: string) => string | undefined;
  readonly buttons?: readonly PromptButton[];
}

export type PromptResult<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'back' }
  | { readonly kind: 'cancel' }
  /** A button was pressed; `item` is set for an item button. The prompt is closed. */
  | { readonly kind: 'button'; readonly id: string; readonly item?: unknown };

export interface Prompter {
  pick<T>(options: PickOptions<T>): Promise<PromptResult<T>>;
  pickMany<T>(options: PickManyOptions<T>): Promise<PromptResult<readonly T[]>>;
  input(options: InputOptions): Promise<PromptResult<string>>;
}

/**
 * Formats a user-facing message. The extension passes `vscode.l10n.t`; `{0}`, `{1}`… are replaced by the arguments.
 * Every string the wizard shows goes through it.
 */
export type Localize = (message: string, ...args: Array<string | number | boolean>) => string;

/** The untranslated formatter (tests, CLI). */
export const formatMessage: Localize = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole));
