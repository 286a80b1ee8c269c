/**
 * The "Configure Registry Credentials" flow as a state machine over a {@link Prompter}. Each step reads and writes
 * one `WizardState`; a history stack makes Back work; steps already satisfied by the command's arguments are skipped
 * (but stay reachable with Back). Side effects (verify, store, output) go through {@link WizardServices}.
 */
import { registryHostSchema, secretSchema, usernameSchema, validateCredentialInput } from '../auth/schemas';
import { BLOCKED_BY_BROWSER_MESSAGE, type VerifyResult } from '../registry/verify';
import type { Localize, PickItem, Prompter, PromptResult } from './prompter';
import {
  credentialKindsFor,
  isEcrRegistry,
  registryFamily,
  registryPresets,
  type CredentialKindGuide,
  type CredentialKindId,
  type GitLabProjectInfo,
} from './registryGuide';

/** What a quick fix (or the palette, with nothing) passes to `gitlabCiAuth.configureCredentials`. */
export interface WizardArgs {
  readonly registry?: string;
  readonly repository?: string;
  /** The tag or digest the pipeline pulls, so verification probes that image instead of `latest`. */
  readonly tag?: string;
  /** The workspace folder's URI or path the pipeline belongs to. */
  readonly folder?: string;
}

/** How a stored credential was obtained. `ecr-login` entries have no secret: they name a credential helper. */
export type StoredCredentialKind = CredentialKindId | 'created-in-gitlab' | 'imported' | 'ecr-login';

/** A credential the wizard hands over to be stored or output. `secret` is absent for a credential helper entry. */
export interface WizardCredential {
  readonly registry: string;
  readonly username: string;
  readonly secret?: string;
  readonly kind: StoredCredentialKind;
  /** ISO date, when the token is known to expire. */
  readonly expiresAt?: string;
  /** The `credHelpers` helper name (without `docker-credential-`), for ECR. */
  readonly helper?: string;
}

export type StoreScope = 'global' | 'workspace';

export type StoreOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: 'keyring-unavailable'; readonly detail?: string };

export type OutputAction = 'clipboard' | 'preview' | 'docker-config' | 'config-step' | 'gitlab-variable';

/** An image registry the open pipelines use without credentials. */
export interface MissingRegistry {
  readonly registry: string;
  readonly repository?: string;
  /** The tag or digest pulled there, when written literally. */
  readonly tag?: string;
  /** Where it is used, e.g. "build in .gitlab-ci.yml". */
  readonly usedBy: string;
}

export interface DeliveryRequest {
  readonly actions: readonly OutputAction[];
  /** Registries of stored credentials to include. */
  readonly registries: readonly string[];
  /** A credential used once because it could not be stored. */
  readonly unstored?: WizardCredential;
  /** The job that gets the config.json step. */
  readonly configStepJob?: string;
}

/** The token `createRegistryToken` made in GitLab. */
export interface CreatedToken {
  readonly registry: string;
  readonly username: string;
  readonly secret: string;
  readonly expiresAt?: string;
}

export interface WizardServices {
  readonly t: Localize;
  /** The workspace's GitLab project, when known (settings or git remote). */
  readonly project?: GitLabProjectInfo;
  missingRegistries(): Promise<readonly MissingRegistry[]>;
  openLink(url: string): Promise<void>;
  /** Present only when connected to GitLab with a token allowed to create tokens. */
  readonly createRegistryToken?: () => Promise<CreatedToken | undefined>;
  /** Runs the check under a cancellable progress notification; undefined when the user cancelled it. */
  verify(request: { registry: string; username: string; secret: string; repository?: string; tag?: string }): Promise<VerifyResult | undefined>;
  store(credential: WizardCredential, scope: StoreScope): Promise<StoreOutcome>;
  /** Registries with a stored credential (after this run's store), for choosing what goes into the output. */
  storedRegistries(): readonly string[];
  /** The stored registries the project's pipelines pull from: ticked by default, and leaving one out is said first. */
  usedRegistries?(): readonly string[];
  /** Jobs of the active pipeline that can receive a config.json step (kaniko, docker); empty when there is none. */
  configStepJobs(): readonly string[];
  /** True when the GitLab connection can save DOCKER_AUTH_CONFIG as a CI/CD variable (connecting first if needed). */
  readonly canSaveToGitLab: boolean;
  /** False where there is no local file system (the browser): `~/.docker/config.json` is not offered. */
  readonly canMergeDockerConfig?: boolean;
  /** True when a GitLab connection is stored: saving needs no connecting first. */
  readonly gitlabConnected?: boolean;
  /** Seconds after which a copied DOCKER_AUTH_CONFIG is cleared from the clipboard (0: kept). */
  readonly clipboardClearSeconds?: number;
  /** Shows a short message the user must not miss (e.g. that verification passed). */
  announce?(message: string): void;
  deliver(request: DeliveryRequest): Promise<void>;
  /** Shows the final "how to store it in GitLab" guidance. */
  showGuidance(message: string, detail: string): Promise<void>;
}

export type WizardOutcome =
  | { readonly status: 'done'; readonly registry: string; readonly stored: boolean; readonly actions: readonly OutputAction[] }
  | { readonly status: 'cancelled' };

type StepName = 'registry' | 'registryEntry' | 'ecr' | 'kind' | 'jobTokenNotes' | 'username' | 'secret' | 'verify' | 'store' | 'output';

interface WizardState {
  registry?: string;
  repository?: string;
  tag?: string;
  kindGuide?: CredentialKindGuide;
  kind?: StoredCredentialKind;
  username?: string;
  secret?: string;
  expiresAt?: string;
  registryTemplate?: { value: string; selection: readonly [number, number] };
  /** The registry's answer when the current username and token were verified as valid, shown on the store step. */
  verifiedMessage?: string;
  scope?: StoreScope;
  stored?: boolean;
  outputActions?: readonly OutputAction[];
}

/** `again` re-shows the current step without adding it to the history (after a button, or a Back inside the step). */
type Transition = { readonly next: StepName } | 'again' | 'back' | 'cancel' | 'done';

/** Steps as the user counts them ("step N of M"), per path through the flow. */
const TOKEN_PATH: readonly StepName[] = ['registry', 'kind', 'username', 'secret', 'verify', 'store', 'output'];
const ECR_PATH: readonly StepName[] = ['registry', 'ecr', 'store', 'output'];
const STEP_OF: Partial<Record<StepName, StepName>> = { registryEntry: 'registry', jobTokenNotes: 'kind' };

const ECR_HELPER = 'ecr-login';

/**
 * Runs the wizard to its end. Resolves when the user finished or cancelled; never throws for user actions.
 * Secrets stay in the state object and are only handed to `services`.
 */
export async function runCredentialWizard(prompter: Prompter, services: WizardServices, args: WizardArgs = {}): Promise<WizardOutcome> {
  return new CredentialWizard(prompter, services).run(args);
}

class CredentialWizard {
  private readonly state: WizardState = {};
  private readonly t: Localize;

  constructor(
    private readonly prompter: Prompter,
    private readonly services: WizardServices,
  ) {
    this.t = services.t;
  }

  async run(args: WizardArgs): Promise<WizardOutcome> {
    const history: StepName[] = [];
    let step: StepName = 'registry';
    const prefilled = args.registry !== undefined ? parseRegistry(args.registry) : undefined;
    if (prefilled?.ok) {
      this.state.registry = prefilled.value;
      if (args.repository) this.state.repository = args.repository;
      if (args.repository && args.tag) this.state.tag = args.tag;
      history.push('registry');
      step = isEcrRegistry(prefilled.value) ? 'ecr' : 'kind';
    }
    for (;;) {
      const transition = await this.runStep(step);
      if (transition === 'cancel') return { status: 'cancelled' };
      if (transition === 'done') {
        return { status: 'done', registry: this.state.registry!, stored: this.state.stored === true, actions: this.state.outputActions ?? [] };
      }
      if (transition === 'again') continue;
      if (transition === 'back') {
        const previous = history.pop();
        if (previous === undefined) return { status: 'cancelled' };
        step = previous;
        continue;
      }
      history.push(step);
      step = transition.next;
    }
  }

  private runStep(step: StepName): Promise<Transition> {
    switch (step) {
      case 'registry':
        return this.registryStep();
      case 'registryEntry':
        return this.registryEntryStep();
      case 'ecr':
        return this.ecrStep();
      case 'kind':
        return this.kindStep();
      case 'jobTokenNotes':
        return this.jobTokenNotesStep();
      case 'username':
        return this.usernameStep();
      case 'secret':
        return this.secretStep();
      case 'verify':
        return this.verifyStep();
      case 'store':
        return this.storeStep();
      case 'output':
        return this.outputStep();
    }
  }

  private position(step: StepName) {
    const counted = STEP_OF[step] ?? step;
    const path = this.state.registry !== undefined && isEcrRegistry(this.state.registry) && counted !== 'registry' ? ECR_PATH : TOKEN_PATH;
    return { title: this.t('Configure Registry Credentials'), step: path.indexOf(counted) + 1, totalSteps: path.length };
  }

  /** Step 1: missing registries of the open pipelines, then presets, then free entry. */
  private async registryStep(): Promise<Transition> {
    type Choice = { registry: string; repository?: string; tag?: string } | { template: string; selection: readonly [number, number] } | 'other';
    const items: PickItem<Choice>[] = [];
    const missing = await this.services.missingRegistries();
    missing.forEach((entry, index) => {
      items.push({
        label: entry.registry,
        description: this.t('used by {0}', entry.usedBy),
        value: {
          registry: entry.registry,
          ...(entry.repository !== undefined ? { repository: entry.repository } : {}),
          ...(entry.repository !== undefined && entry.tag !== undefined ? { tag: entry.tag } : {}),
        },
        ...(index === 0 ? { groupLabel: this.t('Used by your pipelines, no credentials') } : {}),
      });
    });
    const missingHosts = new Set(missing.map((entry) => entry.registry));
    registryPresets(this.t, this.services.project)
      .filter((preset) => !missingHosts.has(preset.value))
      .forEach((preset, index) => {
        items.push({
          label: preset.label,
          description: preset.description,
          value: preset.template ? { template: preset.value, selection: preset.template } : { registry: preset.value },
          ...(index === 0 ? { groupLabel: this.t('Registries') } : {}),
        });
      });
    items.push({ label: this.t('Enter another registry…'), description: this.t('host[:port], exactly as in image:'), value: 'other', groupLabel: '' });

    const current = this.state.registry;
    const active =
      current !== undefined
        ? items.find((item) => typeof item.value === 'object' && 'registry' in item.value && item.value.registry === current)?.value
        : undefined;
    const result = await this.prompter.pick<Choice>({
      ...this.position('registry'),
      placeholder: this.t('Which registry do the images come from?'),
      items,
      ...(active !== undefined ? { activeValue: active } : {}),
    });
    if (result.kind !== 'value') return this.notAValue(result);
    const choice = result.value;
    if (choice === 'other') {
      delete this.state.registryTemplate;
      return { next: 'registryEntry' };
    }
    if ('template' in choice) {
      this.state.registryTemplate = { value: choice.template, selection: choice.selection };
      return { next: 'registryEntry' };
    }
    this.chooseRegistry(choice.registry, choice.repository, choice.tag);
    return { next: isEcrRegistry(choice.registry) ? 'ecr' : 'kind' };
  }

  /** Step 1, free entry: `host[:port]`, validated by the core schema. */
  private async registryEntryStep(): Promise<Transition> {
    const template = this.state.registryTemplate;
    const value = template?.value ?? this.state.registry ?? '';
    const result = await this.prompter.input({
      ...this.position('registryEntry'),
      prompt: this.t('The registry host and port exactly as written in image: (e.g. registry.example.com:5050)'),
      placeholder: 'registry.example.com:5050',
      value,
      ...(template ? { valueSelection: template.selection } : {}),
      validate: (text) => {
        const parsed = parseRegistry(text);
        if (!parsed.ok) return parsed.message;
        return /[<>]/.test(text) ? this.t('Replace the <placeholder> with your value.') : undefined;
      },
    });
    if (result.kind !== 'value') return this.notAValue(result);
    const parsed = parseRegistry(result.value);
    if (!parsed.ok) return 'again';
    this.chooseRegistry(parsed.value, undefined);
    return { next: isEcrRegistry(parsed.value) ? 'ecr' : 'kind' };
  }

  private chooseRegistry(registry: string, repository: string | undefined, tag?: string): void {
    if (registry !== this.state.registry) {
      delete this.state.kindGuide;
      delete this.state.kind;
      delete this.state.username;
      delete this.state.secret;
      delete this.state.repository;
      delete this.state.tag;
    }
    this.state.registry = registry;
    if (repository !== undefined) {
      this.state.repository = repository;
      if (tag !== undefined) this.state.tag = tag;
      else delete this.state.tag;
    }
  }

  /** ECR: a credential helper entry instead of a 12-hour password. */
  private async ecrStep(): Promise<Transition> {
    const result = await this.prompter.pick<'helper' | 'back'>({
      ...this.position('ecr'),
      placeholder: this.t('AWS ECR passwords expire after 12 hours: use the ecr-login credential helper instead'),
      items: [
        {
          label: this.t('Add a credHelpers entry using ecr-login'),
          detail: this.t(
            'DOCKER_AUTH_CONFIG gets {"credHelpers":{"{0}":"ecr-login"}}. The runner host (not the job container) needs docker-credential-ecr-login on its PATH and AWS credentials (instance role or environment). Not available on GitLab-hosted runners.',
            this.state.registry!,
          ),
          value: 'helper',
        },
        { label: this.t('Back: choose another registry'), value: 'back' },
      ],
    });
    if (result.kind !== 'value') return this.notAValue(result);
    if (result.value === 'back') return 'back';
    this.state.kind = 'ecr-login';
    return { next: 'store' };
  }

  /** Step 2: which kind of credential, with the scope to grant and a button that opens the page creating it. */
  private async kindStep(): Promise<Transition> {
    const registry = this.state.registry!;
    const guides = credentialKindsFor(registry, this.t, this.services.project);
    const openButton = { id: 'open-create-page', tooltip: this.t('Open the page that creates this token'), icon: 'link-external' };
    type Choice = CredentialKindGuide | 'create';
    const items: PickItem<Choice>[] = guides.map((guide) => ({
      label: guide.label,
      detail: guide.detail,
      value: guide,
      ...(guide.createUrl ? { buttons: [openButton] } : {}),
    }));
    // GitLab creates tokens for its own registry only; offering it for another registry would store the wrong key.
    if (this.services.createRegistryToken && registryFamily(registry, this.services.project) === 'gitlab') {
      items.unshift({
        label: this.t('Create a registry token for me'),
        detail: this.t('Creates a read_registry token in the GitLab project you are connected to.'),
        value: 'create',
      });
    }
    const active = this.state.kindGuide ? guides.find((guide) => guide.kind === this.state.kindGuide!.kind) : undefined;
    const result = await this.prompter.pick<Choice>({
      ...this.position('kind'),
      placeholder: this.t('What kind of credential will pull from {0}?', registry),
      items,
      ...(active ? { activeValue: active } : {}),
    });
    if (result.kind === 'button') {
      const guide = guides.find(
        (candidate) =>
          candidate === result.item ||
          (typeof result.item === 'object' && result.item !== null && (result.item as CredentialKindGuide).kind === candidate.kind),
      );
      if (guide?.createUrl) await this.services.openLink(guide.createUrl);
      return 'again';
    }
    if (result.kind !== 'value') return this.notAValue(result);
    if (result.value === 'create') return this.createToken();
    const guide = result.value;
    if (guide.kind === 'job-token') return { next: 'jobTokenNotes' };
    if (this.state.kindGuide?.kind !== guide.kind) {
      delete this.state.username;
      if (guide.usernameValue !== undefined) this.state.username = guide.usernameValue;
    }
    this.state.kindGuide = guide;
    this.state.kind = guide.kind;
    return { next: 'username' };
  }

  private async createToken(): Promise<Transition> {
    const created = await this.services.createRegistryToken!();
    if (!created) return 'again';
    this.state.registry = created.registry;
    this.state.username = created.username;
    this.state.secret = created.secret;
    this.state.kind = 'created-in-gitlab';
    if (created.expiresAt !== undefined) this.state.expiresAt = created.expiresAt;
    else delete this.state.expiresAt;
    return { next: 'verify' };
  }

  /** The job token cannot be stored: explain what covers the instance's registry instead. */
  private async jobTokenNotesStep(): Promise<Transition> {
    const result = await this.prompter.pick<'back' | 'close'>({
      ...this.position('jobTokenNotes'),
      placeholder: this.t('The CI job token is not something to store'),
      items: [
        {
          label: this.t('Back: choose another kind of credential'),
          detail: this.t(
            "Jobs pull from this instance's registry ($CI_REGISTRY) with CI_REGISTRY_USER / CI_JOB_TOKEN automatically. For another project's images, add this project to that project's job token allowlist (Settings > CI/CD > Job token permissions). The job token expires with the job, so it cannot go into DOCKER_AUTH_CONFIG — and a DOCKER_AUTH_CONFIG entry for $CI_REGISTRY replaces it.",
          ),
          value: 'back',
        },
        { label: this.t('Close the wizard'), value: 'close' },
      ],
    });
    if (result.kind !== 'value') return this.notAValue(result);
    return result.value === 'back' ? 'back' : 'cancel';
  }

  /** Step 3: the username (no `:`: the `auth` value is `username:secret`). */
  private async usernameStep(): Promise<Transition> {
    const guide = this.state.kindGuide;
    const result = await this.prompter.input({
      ...this.position('username'),
      prompt: guide?.usernamePrompt ?? this.t('The registry username'),
      ...(guide ? { placeholder: guide.usernamePlaceholder } : {}),
      value: this.state.username ?? guide?.usernameValue ?? '',
      // An empty box is answered with what this kind's username is, not a generic rule.
      validate: (text) => (text.trim() === '' && guide ? this.t('Enter the username. {0}', guide.usernamePrompt) : schemaProblem(usernameSchema, text.trim())),
    });
    if (result.kind !== 'value') return this.notAValue(result);
    this.state.username = result.value.trim();
    return { next: 'secret' };
  }

  /** Step 4: the token, masked, trimmed, checked together with the registry and username. */
  private async secretStep(): Promise<Transition> {
    const scopeHint = this.state.kindGuide?.detail;
    const result = await this.prompter.input({
      ...this.position('secret'),
      prompt: scopeHint
        ? this.t('The token or password for {0}. {1}', this.state.username!, scopeHint)
        : this.t('The token or password for {0}', this.state.username!),
      password: true,
      value: this.state.secret ?? '',
      validate: (text) => this.secretProblem(text.trim()),
    });
    if (result.kind !== 'value') return this.notAValue(result);
    this.state.secret = result.value.trim();
    delete this.state.expiresAt;
    return { next: 'verify' };
  }

  private secretProblem(secret: string): string | undefined {
    const own = schemaProblem(secretSchema, secret);
    if (own !== undefined) return own;
    return validateCredentialInput({ registry: this.state.registry!, username: this.state.username!, secret }) ?? undefined;
  }

  /** Step 5: verify against the registry (default) or skip; on failure Back / Save anyway / Cancel. */
  private async verifyStep(): Promise<Transition> {
    for (;;) {
      const choice = await this.prompter.pick<'verify' | 'skip'>({
        ...this.position('verify'),
        placeholder: this.t('Check the credential against {0} before storing it?', this.state.registry!),
        items: [
          {
            label: this.t('Verify now (recommended)'),
            detail: this.t(
              'Signs in to {0} as the runner will: with the username and token (Basic auth), or by asking for a pull token where the registry issues them. Nothing is downloaded.',
              this.state.registry!,
            ),
            value: 'verify',
          },
          {
            label: this.t('Skip verification'),
            detail: this.t('Store it without checking, e.g. when the registry cannot be reached from here.'),
            value: 'skip',
          },
        ],
        activeValue: 'verify',
      });
      if (choice.kind !== 'value') return this.notAValue(choice);
      delete this.state.verifiedMessage;
      if (choice.value === 'skip') return { next: 'store' };

      const outcome = await this.services.verify({
        registry: this.state.registry!,
        username: this.state.username!,
        secret: this.state.secret!,
        ...(this.state.repository !== undefined ? { repository: this.state.repository } : {}),
        ...(this.state.tag !== undefined ? { tag: this.state.tag } : {}),
      });
      if (outcome === undefined) continue;
      // Without a known tag the registry is asked for `latest`; its absence says nothing about the credentials.
      const guessedTagMissing = outcome.status === 'not-found' && this.state.repository !== undefined && this.state.tag === undefined;
      if (outcome.status === 'valid' || guessedTagMissing) {
        // Otherwise the user never learns that the check passed: the flow just moves on.
        this.state.verifiedMessage = outcome.message;
        this.services.announce?.(outcome.message);
        return { next: 'store' };
      }

      const failure = await this.prompter.pick<'back' | 'save' | 'cancel'>({
        ...this.position('verify'),
        // A short headline fits the input line; the registry's full answer goes on the first item's detail line.
        placeholder: this.verifyHeadline(outcome),
        items: [
          {
            label: this.t('Back: change the username or token'),
            detail: outcome.detail !== undefined ? this.t('{0} ({1})', outcome.message, outcome.detail) : outcome.message,
            value: 'back',
          },
          { label: this.t('Save anyway'), value: 'save' },
          { label: this.t('Cancel'), value: 'cancel' },
        ],
      });
      if (failure.kind !== 'value') return this.notAValue(failure);
      if (failure.value === 'save') return { next: 'store' };
      return failure.value;
    }
  }

  /** One short line (it is the quick pick's placeholder); the registry's own message is shown below it. */
  private verifyHeadline(outcome: VerifyResult): string {
    const registry = this.state.registry!;
    switch (outcome.status) {
      case 'wrong-credentials':
        return this.t('Wrong credentials: {0} rejected the username or token', registry);
      case 'no-pull-access':
        return this.t('No pull access: the credentials cannot pull {0}', this.state.repository ?? registry);
      case 'not-found':
        return this.t('Not found: the image is not on {0}', registry);
      case 'unreachable':
        // In a browser the registry may well be reachable: the browser withheld its answer, which says nothing of the token.
        return outcome.message === BLOCKED_BY_BROWSER_MESSAGE ? outcome.message : this.t('Registry unreachable: {0}', registry);
      case 'no-auth-required':
        return this.t('{0} asks for no credentials', registry);
      case 'valid':
        return outcome.message;
    }
  }

  /** Step 6: where the metadata lives; the token always goes to SecretStorage. Keyring failure → use once. */
  private async storeStep(): Promise<Transition> {
    const scope = await this.prompter.pick<StoreScope>({
      ...this.position('store'),
      placeholder:
        this.state.verifiedMessage !== undefined ? this.t('{0} Remember it for…', this.state.verifiedMessage) : this.t('Remember this credential for…'),
      items: [
        {
          label: this.t('On this computer, for all my projects'),
          detail: this.t("The token is kept in VS Code's secret storage, never in settings or files."),
          value: 'global',
        },
        {
          label: this.t('For this project only'),
          detail: this.t("The token is kept in VS Code's secret storage; only this project's windows use it."),
          value: 'workspace',
        },
      ],
      ...(this.state.scope ? { activeValue: this.state.scope } : {}),
    });
    if (scope.kind !== 'value') return this.notAValue(scope);
    this.state.scope = scope.value;

    const outcome = await this.services.store(this.credential(), scope.value);
    if (outcome.ok) {
      this.state.stored = true;
      return { next: 'output' };
    }
    const fallback = await this.prompter.pick<'once' | 'back' | 'cancel'>({
      ...this.position('store'),
      placeholder: this.t("VS Code's secret storage is not available, so the token cannot be stored."),
      items: [
        {
          label: this.t('Use it once without storing'),
          detail: this.t('Continue to the output; the token is forgotten when the wizard closes.'),
          value: 'once',
        },
        { label: this.t('Back'), value: 'back' },
        { label: this.t('Cancel'), value: 'cancel' },
      ],
    });
    if (fallback.kind !== 'value') return this.notAValue(fallback);
    // Back here means "choose the storage again", e.g. after unlocking the keychain.
    if (fallback.value === 'back') return 'again';
    if (fallback.value === 'cancel') return 'cancel';
    this.state.stored = false;
    return { next: 'output' };
  }

  private credential(): WizardCredential {
    const registry = this.state.registry!;
    if (this.state.kind === 'ecr-login') return { registry, username: '', kind: 'ecr-login', helper: ECR_HELPER };
    return {
      registry,
      username: this.state.username!,
      secret: this.state.secret!,
      kind: this.state.kind!,
      ...(this.state.expiresAt !== undefined ? { expiresAt: this.state.expiresAt } : {}),
    };
  }

  /** Step 7: one or more outputs, for the chosen registries, then how to store it in GitLab. */
  private async outputStep(): Promise<Transition> {
    const jobs = this.services.configStepJobs();
    const items: PickItem<OutputAction>[] = [
      { label: this.t('Copy DOCKER_AUTH_CONFIG to the clipboard'), detail: this.clipboardDetail(), value: 'clipboard' },
      { label: this.t('Show it in a read-only preview'), detail: this.t('The auth values stay hidden until you reveal them.'), value: 'preview' },
    ];
    if (this.services.canMergeDockerConfig !== false)
      items.push({
        label: this.t('Merge into ~/.docker/config.json'),
        detail: this.t('For local docker pull; asks first and keeps a backup.'),
        value: 'docker-config',
      });
    if (jobs.length > 0)
      items.push({
        label: this.t('Insert a config.json step into a job'),
        detail: this.t('For kaniko or docker build jobs, which do not read DOCKER_AUTH_CONFIG themselves.'),
        value: 'config-step',
      });
    if (this.services.canSaveToGitLab) {
      items.push(
        this.services.gitlabConnected === false
          ? {
              label: this.t('Connect to GitLab and save as CI/CD variable…'),
              detail: this.t('Asks for your GitLab instance and a token, then saves it (Variable type, masked, not expanded).'),
              value: 'gitlab-variable',
            }
          : { label: this.t('Save as CI/CD variable in GitLab'), detail: this.t('Variable type, masked, not expanded.'), value: 'gitlab-variable' },
      );
    }

    const actions = await this.prompter.pickMany<OutputAction>({
      ...this.position('output'),
      placeholder: this.t('What should happen with the DOCKER_AUTH_CONFIG?'),
      items,
      pickedValues: this.state.outputActions ?? ['clipboard'],
    });
    if (actions.kind !== 'value') return this.notAValue(actions);
    this.state.outputActions = actions.value;

    const registries = await this.chooseRegistries();
    if (registries === undefined) return 'again';

    let configStepJob: string | undefined;
    if (actions.value.includes('config-step')) {
      configStepJob = jobs.length === 1 ? jobs[0] : await this.chooseJob(jobs);
      if (configStepJob === undefined) return 'again';
    }
    const unstored = this.state.stored ? undefined : this.credential();
    await this.services.deliver({
      actions: actions.value,
      registries,
      ...(unstored ? { unstored } : {}),
      ...(configStepJob !== undefined ? { configStepJob } : {}),
    });
    if (!actions.value.includes('gitlab-variable')) {
      await this.services.showGuidance(this.t('Store it in GitLab as the CI/CD variable DOCKER_AUTH_CONFIG'), gitlabVariableGuidance(this.t));
    }
    return 'done';
  }

  private clipboardDetail(): string {
    const seconds = this.services.clipboardClearSeconds;
    if (seconds === undefined) return this.t('Minified, single line.');
    return seconds > 0
      ? this.t('Minified, single line. Cleared from the clipboard after {0} s.', String(seconds))
      : this.t('Minified, single line. Kept on the clipboard.');
  }

  /** Which stored registries go into the output; only asked when there is more than this one. Undefined: Back. */
  private async chooseRegistries(): Promise<readonly string[] | undefined> {
    const current = this.state.registry!;
    const stored = this.state.stored ? this.services.storedRegistries() : [];
    const others = stored.filter((registry) => registry !== current);
    const base = this.state.stored ? [current] : [];
    if (others.length === 0) return base;
    // The variable holds one value: everything the pipeline pulls with must be in it, so those are ticked from the start.
    const used = this.services.usedRegistries?.() ?? [];
    for (;;) {
      const result = await this.prompter.pickMany<string>({
        ...this.position('output'),
        placeholder: this.t('Which registries go into this DOCKER_AUTH_CONFIG? It replaces the whole value in GitLab.'),
        items: [current, ...others].map((registry) => ({
          label: registry,
          ...(used.includes(registry) ? { description: this.t('used by the pipeline') } : {}),
          value: registry,
        })),
        pickedValues: [current, ...others.filter((registry) => used.includes(registry))],
      });
      if (result.kind !== 'value') return undefined;
      const left = used.filter((registry) => registry !== current && !result.value.includes(registry));
      if (left.length === 0 || (await this.confirmLeftOut(left)))
        return this.state.stored ? result.value : result.value.filter((registry) => registry !== current);
    }
  }

  /** Says which registries the pipeline uses are left out before anything is output; true to go on without them. */
  private async confirmLeftOut(left: readonly string[]): Promise<boolean> {
    const result = await this.prompter.pick<'again' | 'leave'>({
      ...this.position('output'),
      placeholder: this.t('The pipeline also pulls from {0}: pasted as the variable, this value would drop it.', left.join(', ')),
      items: [
        { label: this.t('Back: tick them again'), value: 'again' },
        { label: this.t('Leave them out anyway'), detail: this.t('Only if GitLab gets those credentials some other way.'), value: 'leave' },
      ],
    });
    return result.kind === 'value' && result.value === 'leave';
  }

  private async chooseJob(jobs: readonly string[]): Promise<string | undefined> {
    const result = await this.prompter.pick<string>({
      ...this.position('output'),
      placeholder: this.t('Which job gets the config.json step?'),
      items: jobs.map((job) => ({ label: job, value: job })),
    });
    return result.kind === 'value' ? result.value : undefined;
  }

  /** Back and cancel pass through; a button with no meaning on this step re-shows it. */
  private notAValue(result: Exclude<PromptResult<unknown>, { kind: 'value' }>): Transition {
    if (result.kind === 'back') return 'back';
    if (result.kind === 'cancel') return 'cancel';
    return 'again';
  }
}

/** How to store the value in GitLab so the runner reads it and it can be masked. */
export function gitlabVariableGuidance(t: Localize): string {
  return [
    t('In GitLab: Settings > CI/CD > Variables > Add variable.'),
    t('Type: Variable (not File). Key: DOCKER_AUTH_CONFIG. Value: the copied single-line JSON.'),
    t('Clear "Expand variable reference" so the value is used raw.'),
    t('Masked works because the value is minified, single-line and raw.'),
    t('Protected only if every branch and tag whose pipelines pull these images is protected; otherwise those pipelines get no credentials.'),
  ].join('\n');
}

type Parsed = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

function parseRegistry(text: string): Parsed {
  const result = registryHostSchema.safeParse(text.trim());
  if (result.success) return { ok: true, value: String(result.data) };
  return { ok: false, message: result.error.issues[0]?.message ?? 'invalid registry' };
}

interface SafeParser {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
}

function schemaProblem(schema: SafeParser, value: string): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'invalid value');
}
