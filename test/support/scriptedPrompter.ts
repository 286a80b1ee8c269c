/**
 * A scripted user for the credential wizard's state machine: answers each prompt with the next reply and records
 * what it was shown. Shared by the unit tests and the integration tests that run the flow in the extension host.
 */
import * as assert from 'node:assert/strict';
import type { InputOptions, PickManyOptions, PickOptions, Prompter, PromptResult } from '../../src/core/wizard/prompter';

export type Call =
  | { readonly kind: 'pick'; readonly options: PickOptions<unknown> }
  | { readonly kind: 'pickMany'; readonly options: PickManyOptions<unknown> }
  | { readonly kind: 'input'; readonly options: InputOptions };

export type Reply = (call: Call) => PromptResult<unknown>;

/** A prompter that answers each prompt with the next scripted reply and records what it was shown. */
export class ScriptedPrompter implements Prompter {
  readonly calls: Call[] = [];
  constructor(private readonly script: Reply[]) {}

  pick<T>(options: PickOptions<T>): Promise<PromptResult<T>> {
    return this.answer({ kind: 'pick', options: options as PickOptions<unknown> }) as Promise<PromptResult<T>>;
  }
  pickMany<T>(options: PickManyOptions<T>): Promise<PromptResult<readonly T[]>> {
    return this.answer({ kind: 'pickMany', options: options as PickManyOptions<unknown> }) as Promise<PromptResult<readonly T[]>>;
  }
  input(options: InputOptions): Promise<PromptResult<string>> {
    return this.answer({ kind: 'input', options }) as Promise<PromptResult<string>>;
  }

  private async answer(call: Call): Promise<PromptResult<unknown>> {
    this.calls.push(call);
    const reply = this.script.shift();
    if (!reply) throw new Error(`unexpected prompt: ${describeCall(call)}`);
    return reply(call);
  }

  get finished(): boolean {
    return this.script.length === 0;
  }

  /** Scripted replies not used yet. */
  get remaining(): number {
    return this.script.length;
  }
}

export function describeCall(call: Call): string {
  return call.kind === 'input' ? `input "${call.options.prompt}"` : `${call.kind} "${call.options.placeholder}"`;
}

/** Picks the item whose label contains `label` (asserting it is offered). */
export function choose(label: string): Reply {
  return (call) => {
    assert.equal(call.kind, 'pick', `expected a pick for "${label}", got ${describeCall(call)}`);
    const item = call.options.items.find((candidate) => candidate.label.includes(label));
    assert.ok(item, `"${label}" not offered in ${call.options.items.map((candidate) => candidate.label).join(' | ')}`);
    return { kind: 'value', value: item.value };
  };
}

export function chooseMany(...labels: string[]): Reply {
  return (call) => {
    assert.equal(call.kind, 'pickMany', `expected a multi-pick, got ${describeCall(call)}`);
    const values = labels.map((label) => {
      const item = call.options.items.find((candidate) => candidate.label.includes(label));
      assert.ok(item, `"${label}" not offered`);
      return item.value;
    });
    return { kind: 'value', value: values };
  };
}

/** Types into an input box; the text must pass the box's validation, as the real InputBox only accepts then. */
export function type(text: string): Reply {
  return (call) => {
    assert.equal(call.kind, 'input', `expected an input for "${text}", got ${describeCall(call)}`);
    assert.equal(call.options.validate(text), undefined, `"${text}" was rejected`);
    return { kind: 'value', value: text };
  };
}
