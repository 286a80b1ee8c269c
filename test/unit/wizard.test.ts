import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VerifyResult } from '../../src/core/registry/verify';
import {
  runCredentialWizard,
  type DeliveryRequest,
  type MissingRegistry,
  type StoreOutcome,
  type StoreScope,
  type WizardCredential,
  type WizardServices,
} from '../../src/core/wizard/credentialWizard';
import { formatMessage, type InputOptions, type PickManyOptions, type PickOptions } from '../../src/core/wizard/prompter';
import { choose, chooseMany, describeCall, ScriptedPrompter, type, type Call, type Reply } from '../support/scriptedPrompter';

// Obviously fake test tokens.
const TOKEN = 'fake-token-0001';
const OTHER_TOKEN = 'fake-token-0002';

/**
 * Runs the wizard against a scripted user and asserts the flow used every scripted reply: a check inside a reply (the
 * `expecting` ones) proves nothing unless the wizard reached that prompt.
 */
async function runScripted(
  prompter: ScriptedPrompter,
  ...rest: Parameters<typeof runCredentialWizard> extends [unknown, ...infer R] ? R : never
): ReturnType<typeof runCredentialWizard> {
  const outcome = await runCredentialWizard(prompter, ...rest);
  assert.ok(
    prompter.finished,
    `the wizard ended (${JSON.stringify(outcome)}) before ${prompter.remaining} scripted prompt(s); last shown: ${prompter.calls.map(describeCall).at(-1)}`,
  );
  return outcome;
}

const back: Reply = () => ({ kind: 'back' });
const cancel: Reply = () => ({ kind: 'cancel' });

/** Asserts something about the prompt, then replies with `reply`. */
function expecting(check: (call: Call) => void, reply: Reply): Reply {
  return (call) => {
    check(call);
    return reply(call);
  };
}

function atStep(step: number, total: number, reply: Reply): Reply {
  return expecting((call) => assert.deepEqual([call.options.step, call.options.totalSteps], [step, total], `step of ${describeCall(call)}`), reply);
}

interface FakeServices extends WizardServices {
  readonly verified: Array<{ registry: string; username: string; secret: string; repository?: string }>;
  readonly stored: Array<{ credential: WizardCredential; scope: StoreScope }>;
  readonly delivered: DeliveryRequest[];
  readonly opened: string[];
  readonly guidance: string[];
}

function fakeServices(
  options: {
    verifyResults?: Array<VerifyResult | undefined>;
    storeOutcome?: StoreOutcome;
    storedRegistries?: string[];
    usedRegistries?: string[];
    jobs?: string[];
    canSaveToGitLab?: boolean;
    missing?: MissingRegistry[];
    createToken?: WizardServices['createRegistryToken'];
  } = {},
): FakeServices {
  const verifyResults = [...(options.verifyResults ?? [])];
  const services: FakeServices = {
    t: formatMessage,
    project: { instanceUrl: 'https://gitlab.example.com', registry: 'registry.example.com:5050', projectPath: 'acme/tools/app' },
    verified: [],
    stored: [],
    delivered: [],
    opened: [],
    guidance: [],
    missingRegistries: async () => options.missing ?? [],
    openLink: async (url) => {
      services.opened.push(url);
    },
    verify: async (request) => {
      services.verified.push(request);
      return verifyResults.length > 0 ? verifyResults.shift() : { status: 'valid', message: 'Login succeeded.' };
    },
    store: async (credential, scope) => {
      services.stored.push({ credential, scope });
      return options.storeOutcome ?? { ok: true };
    },
    storedRegistries: () => options.storedRegistries ?? services.stored.map((entry) => entry.credential.registry),
    ...(options.usedRegistries ? { usedRegistries: () => options.usedRegistries! } : {}),
    configStepJobs: () => options.jobs ?? [],
    canSaveToGitLab: options.canSaveToGitLab ?? false,
    deliver: async (request) => {
      services.delivered.push(request);
    },
    showGuidance: async (message, detail) => {
      services.guidance.push(`${message}\n${detail}`);
    },
    ...(options.createToken ? { createRegistryToken: options.createToken } : {}),
  };
  return services;
}

/** The usual happy path from step 2 onwards for a GitLab deploy token. */
function deployTokenSteps(): Reply[] {
  return [choose('Deploy token'), type('gitlab+deploy-token-7'), type(TOKEN), choose('Verify now'), choose('for all my projects'), chooseMany('Copy')];
}

/** registry.gitlab.com with a deploy token, up to (not including) the output step. */
function stepsBeforeOutput(): Reply[] {
  return [choose('registry.gitlab.com'), ...deployTokenSteps().slice(0, 5)];
}

describe('credential wizard: happy path', () => {
  it('walks all seven steps and stores the trimmed token in the chosen scope', async () => {
    const prompter = new ScriptedPrompter([
      atStep(1, 7, choose('registry.gitlab.com')),
      atStep(2, 7, choose('Deploy token')),
      atStep(3, 7, type('gitlab+deploy-token-7')),
      atStep(
        4,
        7,
        expecting((call) => assert.equal(call.kind === 'input' && call.options.password, true, 'token box must be a password box'), type(`  ${TOKEN}\n`)),
      ),
      atStep(5, 7, choose('Verify now')),
      atStep(6, 7, choose('For this project only')),
      atStep(7, 7, chooseMany('Copy', 'preview')),
    ]);
    const services = fakeServices();
    const outcome = await runScripted(prompter, services);

    assert.deepEqual(outcome, { status: 'done', registry: 'registry.gitlab.com', stored: true, actions: ['clipboard', 'preview'] });
    assert.deepEqual(services.verified, [{ registry: 'registry.gitlab.com', username: 'gitlab+deploy-token-7', secret: TOKEN }]);
    assert.deepEqual(services.stored, [
      { credential: { registry: 'registry.gitlab.com', username: 'gitlab+deploy-token-7', secret: TOKEN, kind: 'deploy-token' }, scope: 'workspace' },
    ]);
    assert.deepEqual(services.delivered, [{ actions: ['clipboard', 'preview'], registries: ['registry.gitlab.com'] }]);
    assert.ok(prompter.finished);
    for (const call of prompter.calls) assert.equal(call.options.title, 'Configure Registry Credentials');
  });

  it("shows the registry's answer on the store step after a valid verification, and nothing after skipping it", async () => {
    const services = fakeServices({ verifyResults: [{ status: 'valid', message: 'The credentials are valid and can pull team/app:1.0.' }] });
    const prompter = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      choose('Deploy token'),
      type('gitlab+deploy-token-7'),
      type(TOKEN),
      choose('Verify now'),
      atStep(
        6,
        7,
        expecting(
          (call) => assert.equal((call.options as PickOptions<unknown>).placeholder, 'The credentials are valid and can pull team/app:1.0. Remember it for…'),
          back,
        ),
      ),
      choose('Skip verification'),
      atStep(
        6,
        7,
        expecting((call) => assert.equal((call.options as PickOptions<unknown>).placeholder, 'Remember this credential for…'), cancel),
      ),
    ]);
    assert.deepEqual(await runScripted(prompter, services), { status: 'cancelled' });
    assert.ok(prompter.finished);
  });

  it('ends with the GitLab variable guidance: Variable type, not expanded, masked, protected only with protected branches', async () => {
    const services = fakeServices();
    await runScripted(new ScriptedPrompter([choose('registry.gitlab.com'), ...deployTokenSteps()]), services);
    assert.equal(services.guidance.length, 1);
    const guidance = services.guidance[0]!;
    assert.match(guidance, /DOCKER_AUTH_CONFIG/);
    assert.match(guidance, /Type: Variable \(not File\)/);
    assert.match(guidance, /Clear "Expand variable reference"/);
    assert.match(guidance, /Masked works/);
    assert.match(guidance, /Protected only if every branch/);
  });

  it('lists the registries the pipelines use without credentials first, and passes their repository and tag to the verification', async () => {
    const services = fakeServices({ missing: [{ registry: 'registry.internal:5000', repository: 'team/builder', tag: '1.4', usedBy: '.gitlab-ci.yml:3' }] });
    const prompter = new ScriptedPrompter([
      expecting((call) => {
        assert.equal((call.options as PickOptions<unknown>).items[0]!.label, 'registry.internal:5000');
        assert.match((call.options as PickOptions<unknown>).items[0]!.groupLabel ?? '', /no credentials/);
      }, choose('registry.internal:5000')),
      choose('Registry account'),
      type('robot'),
      type(TOKEN),
      choose('Verify now'),
      choose('for all my projects'),
      chooseMany('Copy'),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(services.verified, [{ registry: 'registry.internal:5000', username: 'robot', secret: TOKEN, repository: 'team/builder', tag: '1.4' }]);
  });

  it('passes the tag of pre-filled arguments to the verification', async () => {
    const services = fakeServices();
    const prompter = new ScriptedPrompter([atStep(2, 7, choose('Registry account')), type('robot'), type(TOKEN), choose('Verify now'), cancel]);
    await runScripted(prompter, services, { registry: 'registry.internal:5000', repository: 'team/builder', tag: '1.4' });
    assert.deepEqual(services.verified, [{ registry: 'registry.internal:5000', username: 'robot', secret: TOKEN, repository: 'team/builder', tag: '1.4' }]);
  });

  it("offers the project's own registry from the git remote and GitLab token kinds first for it", async () => {
    const prompter = new ScriptedPrompter([
      expecting(
        (call) => assert.ok(call.kind === 'pick' && call.options.items.some((item) => item.label === 'registry.example.com:5050')),
        choose('registry.example.com:5050'),
      ),
      expecting((call) => assert.equal(call.kind === 'pick' && call.options.items[0]!.label, 'Deploy token'), cancel),
    ]);
    assert.deepEqual(await runScripted(prompter, fakeServices()), { status: 'cancelled' });
  });
});

describe('credential wizard: Back', () => {
  it('goes back one step from every step, keeping what was entered', async () => {
    const services = fakeServices();
    const prompter = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      back, // kind → registry
      expecting(
        (call) => assert.deepEqual(call.kind === 'pick' && call.options.activeValue, { registry: 'registry.gitlab.com' }),
        choose('registry.gitlab.com'),
      ),
      choose('Project access token'),
      back, // username → kind
      atStep(2, 7, choose('Project access token')),
      type('ci-pull'),
      back, // secret → username
      expecting((call) => assert.equal(call.kind === 'input' && call.options.value, 'ci-pull'), type('ci-pull')),
      type(TOKEN),
      back, // verify → secret
      expecting((call) => assert.equal(call.kind === 'input' && call.options.password, true), type(TOKEN)),
      choose('Skip verification'),
      back, // store → verify
      atStep(5, 7, choose('Skip verification')),
      choose('for all my projects'),
      back, // output → store
      atStep(6, 7, choose('for all my projects')),
      chooseMany('Copy'),
    ]);
    const outcome = await runScripted(prompter, services);
    assert.equal(outcome.status, 'done');
    assert.ok(prompter.finished);
    assert.equal(services.verified.length, 0);
    assert.deepEqual(services.stored.at(-1)?.credential, { registry: 'registry.gitlab.com', username: 'ci-pull', secret: TOKEN, kind: 'project-access-token' });
  });

  it('Back on the first step closes the wizard without storing anything', async () => {
    const services = fakeServices();
    assert.deepEqual(await runScripted(new ScriptedPrompter([back]), services), { status: 'cancelled' });
    assert.equal(services.stored.length, 0);
  });

  it('Back from free registry entry returns to the registry list', async () => {
    const prompter = new ScriptedPrompter([choose('Enter another registry'), back, atStep(1, 7, cancel)]);
    assert.deepEqual(await runScripted(prompter, fakeServices()), { status: 'cancelled' });
    assert.equal(prompter.calls[2]!.kind, 'pick');
  });

  it('cancel (Escape) on any step stops without storing', async () => {
    const services = fakeServices();
    const outcome = await runScripted(new ScriptedPrompter([choose('ghcr.io'), choose('GitHub'), type('octocat'), cancel]), services);
    assert.deepEqual(outcome, { status: 'cancelled' });
    assert.equal(services.stored.length, 0);
  });
});

describe('credential wizard: pre-filled arguments', () => {
  it('skips the registry step when a quick fix passes the registry, and Back still reaches it', async () => {
    const services = fakeServices();
    const prompter = new ScriptedPrompter([
      atStep(2, 7, back),
      expecting(
        (call) => assert.deepEqual(call.kind === 'pick' && call.options.activeValue, { registry: 'registry.example.com:5050' }),
        choose('registry.example.com:5050'),
      ),
      ...deployTokenSteps(),
    ]);
    const outcome = await runScripted(prompter, services, { registry: 'registry.example.com:5050', repository: 'acme/tools/app/builder' });
    assert.equal(outcome.status, 'done');
    assert.equal(services.verified[0]!.repository, 'acme/tools/app/builder');
  });

  it('opens on the credential kinds for the given registry when only the registry is given', async () => {
    const prompter = new ScriptedPrompter([
      atStep(
        2,
        7,
        expecting((call) => assert.match((call.options as PickOptions<unknown>).placeholder, /registry\.internal:5000/), cancel),
      ),
    ]);
    await runScripted(prompter, fakeServices(), { registry: 'registry.internal:5000' });
    assert.equal(prompter.calls.length, 1);
  });

  it('ignores an invalid pre-filled registry and asks for one', async () => {
    const prompter = new ScriptedPrompter([atStep(1, 7, cancel)]);
    await runScripted(prompter, fakeServices(), { registry: 'not a registry' });
    assert.equal(prompter.calls[0]!.kind, 'pick');
    assert.match((prompter.calls[0]!.options as PickOptions<unknown>).placeholder, /registry/);
  });
});

describe('credential wizard: validation', () => {
  function inputAt(replies: Reply[], inspect: (options: InputOptions) => void): Promise<unknown> {
    return runScripted(
      new ScriptedPrompter([
        ...replies,
        (call) => {
          assert.equal(call.kind, 'input');
          inspect(call.options as InputOptions);
          return { kind: 'cancel' };
        },
      ]),
      fakeServices(),
    );
  }

  it('rejects registries that are not host[:port] as written in image:', async () => {
    await inputAt([choose('Enter another registry')], (options) => {
      assert.equal(options.validate('registry.example.com:5050'), undefined);
      assert.equal(options.validate('localhost:5000'), undefined);
      assert.match(options.validate('registry example.com') ?? '', /spaces/);
      assert.match(options.validate('ftp://registry.example.com') ?? '', /scheme/);
      assert.match(options.validate('registry.example.com:99999') ?? '', /1-65535/);
    });
  });

  it('asks to replace the placeholder of a template preset, with the placeholder selected', async () => {
    await inputAt([choose('.azurecr.io')], (options) => {
      assert.equal(options.value, '<name>.azurecr.io');
      assert.deepEqual(options.valueSelection, [0, 6]);
      assert.match(options.validate('<name>.azurecr.io') ?? '', /./);
      assert.equal(options.validate('myteam.azurecr.io'), undefined);
    });
  });

  it('rejects a username containing ":" or nothing', async () => {
    await inputAt([choose('registry.gitlab.com'), choose('Personal access token')], (options) => {
      assert.match(options.validate('alice:admin') ?? '', /":"/);
      assert.match(options.validate('') ?? '', /username/i);
      assert.equal(options.validate('alice'), undefined);
    });
  });

  it('masks the token and rejects whitespace inside it, accepting surrounding whitespace (trimmed)', async () => {
    await inputAt([choose('registry.gitlab.com'), choose('Personal access token'), type('alice')], (options) => {
      assert.equal(options.password, true);
      assert.match(options.validate('fake token') ?? '', /spaces/);
      assert.match(options.validate('fake\ttoken') ?? '', /spaces or tabs/);
      assert.match(options.validate('   ') ?? '', /token/i);
      assert.equal(options.validate(`${TOKEN}\n`), undefined);
    });
  });

  it('pre-fills the fixed username of each Google kind (_json_key_base64, _json_key, oauth2accesstoken)', async () => {
    for (const [kind, username] of [
      ['(_json_key_base64)', '_json_key_base64'],
      ['(_json_key)', '_json_key'],
      ['oauth2accesstoken', 'oauth2accesstoken'],
    ] as const) {
      await inputAt([choose('-docker.pkg.dev'), type('europe-west1-docker.pkg.dev'), choose(kind)], (options) => {
        assert.equal(options.value, username);
      });
    }
  });

  it('offers the kinds that fit the registry, each with its username placeholder, and speaks of that kind when the username is empty', async () => {
    const kindsFor = async (registry: string): Promise<string[]> => {
      let labels: string[] = [];
      const prompter = new ScriptedPrompter([
        choose('Enter another registry'),
        type(registry),
        expecting((call) => (labels = (call.options as PickOptions<unknown>).items.map((item) => item.label)), cancel),
      ]);
      await runScripted(prompter, fakeServices());
      return labels;
    };
    assert.deepEqual(await kindsFor('docker.io'), ['Docker Hub personal access token']);
    assert.deepEqual(await kindsFor('ghcr.io'), ['GitHub personal access token (classic)']);
    assert.deepEqual(await kindsFor('myregistry.azurecr.io'), ['Repository-scoped token', 'Service principal']);
    assert.deepEqual(await kindsFor('quay.io'), ['Quay robot account', 'Registry account (username and password or token)']);
    assert.deepEqual(await kindsFor('harbor.example.com'), ['Harbor robot account', 'Registry account (username and password or token)']);
    assert.deepEqual(await kindsFor('registry.example.com:5000'), ['Registry account (username and password or token)', 'Harbor robot account']);
    for (const labels of [await kindsFor('docker.io'), await kindsFor('registry.example.com:5000')]) {
      assert.ok(!labels.some((label) => /job token|Deploy token/i.test(label)), labels.join(' | '));
    }
    await inputAt([choose('Enter another registry'), type('docker.io'), choose('Docker Hub')], (options) => {
      assert.equal(options.placeholder, 'my-docker-id');
      assert.match(options.validate!('') ?? '', /Docker ID/);
      assert.doesNotMatch(options.validate!('') ?? '', /deploy token/i);
    });
  });
});

describe('credential wizard: AWS ECR', () => {
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  it('stores a credHelpers ecr-login entry instead of asking for a password', async () => {
    const services = fakeServices();
    const prompter = new ScriptedPrompter([
      choose('dkr.ecr'),
      type(ecr),
      atStep(
        2,
        4,
        expecting((call) => assert.match(JSON.stringify(call.options), /ecr-login/), choose('ecr-login')),
      ),
      atStep(3, 4, choose('for all my projects')),
      atStep(4, 4, chooseMany('Copy')),
    ]);
    const outcome = await runScripted(prompter, services);
    assert.equal(outcome.status, 'done');
    assert.deepEqual(services.stored, [{ credential: { registry: ecr, username: '', kind: 'ecr-login', helper: 'ecr-login' }, scope: 'global' }]);
    assert.equal(services.verified.length, 0);
    assert.ok(!prompter.calls.some((call) => call.kind === 'input' && call.options.password));
  });

  it('goes straight to the ECR explanation for a pre-filled ECR registry, and its Back item returns to the registry list', async () => {
    const prompter = new ScriptedPrompter([atStep(2, 4, choose('Back')), atStep(1, 7, cancel)]);
    await runScripted(prompter, fakeServices(), { registry: ecr });
    assert.equal(prompter.calls.length, 2);
  });
});

describe('credential wizard: verification outcomes', () => {
  it('on wrong credentials says so; Back returns to the token, and a corrected token is stored', async () => {
    const services = fakeServices({
      verifyResults: [
        { status: 'wrong-credentials', message: 'The registry rejected the username or token.', detail: 'HTTP 401 UNAUTHORIZED' },
        { status: 'valid', message: 'Login succeeded.' },
      ],
    });
    const prompter = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      choose('Deploy token'),
      type('gitlab+deploy-token-7'),
      type(TOKEN),
      choose('Verify now'),
      expecting((call) => {
        assert.match((call.options as PickOptions<unknown>).placeholder, /^Wrong credentials: /);
        // The registry's own answer, with its HTTP detail, under "Back".
        assert.equal((call.options as PickOptions<unknown>).items[0]!.detail, 'The registry rejected the username or token. (HTTP 401 UNAUTHORIZED)');
      }, choose('Back')),
      atStep(4, 7, type(OTHER_TOKEN)),
      choose('Verify now'),
      choose('for all my projects'),
      chooseMany('Copy'),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(
      services.verified.map((request) => request.secret),
      [TOKEN, OTHER_TOKEN],
    );
    assert.equal(services.stored.length, 1);
    assert.equal(services.stored[0]!.credential.secret, OTHER_TOKEN);
  });

  it('treats a missing `latest` as valid credentials when the pipeline named no tag, and says so on the store step', async () => {
    const message = 'The credentials are valid, but registry.internal:5000/team/builder:latest does not exist on this registry.';
    const services = fakeServices({ verifyResults: [{ status: 'not-found', message }] });
    const prompter = new ScriptedPrompter([
      choose('Registry account'),
      type('robot'),
      type(TOKEN),
      choose('Verify now'),
      atStep(
        6,
        7,
        expecting((call) => assert.equal((call.options as PickOptions<unknown>).placeholder, `${message} Remember it for…`), choose('for all my projects')),
      ),
      chooseMany('Copy'),
    ]);
    assert.equal((await runScripted(prompter, services, { registry: 'registry.internal:5000', repository: 'team/builder' })).status, 'done');
    assert.equal(services.stored.length, 1);
  });

  it('reports a missing image as a failure when the pipeline named its tag', async () => {
    const services = fakeServices({ verifyResults: [{ status: 'not-found', message: 'gone' }] });
    const prompter = new ScriptedPrompter([
      choose('Registry account'),
      type('robot'),
      type(TOKEN),
      choose('Verify now'),
      atStep(
        5,
        7,
        expecting(
          (call) => assert.equal((call.options as PickOptions<unknown>).placeholder, 'Not found: the image is not on registry.internal:5000'),
          choose('Cancel'),
        ),
      ),
    ]);
    assert.deepEqual(await runScripted(prompter, services, { registry: 'registry.internal:5000', repository: 'team/builder', tag: '2.0' }), {
      status: 'cancelled',
    });
    assert.equal(services.stored.length, 0);
  });

  for (const [status, headline] of [
    ['no-pull-access', /^No pull access: /],
    ['not-found', /^Not found: /],
    ['unreachable', /^Registry unreachable: /],
    ['no-auth-required', /asks for no credentials/],
  ] as const) {
    it(`on ${status} offers Save anyway, which stores`, async () => {
      const services = fakeServices({ verifyResults: [{ status, message: 'explanation' }] });
      const prompter = new ScriptedPrompter([
        choose('registry.gitlab.com'),
        choose('Deploy token'),
        type('gitlab+deploy-token-7'),
        type(TOKEN),
        choose('Verify now'),
        expecting((call) => assert.match((call.options as PickOptions<unknown>).placeholder, headline), choose('Save anyway')),
        choose('for all my projects'),
        chooseMany('Copy'),
      ]);
      assert.equal((await runScripted(prompter, services)).status, 'done');
      assert.equal(services.stored.length, 1);
    });
  }

  it('Cancel after a failed verification stores nothing', async () => {
    const services = fakeServices({ verifyResults: [{ status: 'unreachable', message: 'Connection refused.' }] });
    const outcome = await runScripted(
      new ScriptedPrompter([
        choose('registry.gitlab.com'),
        choose('Deploy token'),
        type('gitlab+deploy-token-7'),
        type(TOKEN),
        choose('Verify now'),
        choose('Cancel'),
      ]),
      services,
    );
    assert.deepEqual(outcome, { status: 'cancelled' });
    assert.equal(services.stored.length, 0);
  });

  it('a cancelled verification (progress notification) shows the verify choice again', async () => {
    const services = fakeServices({ verifyResults: [undefined] });
    const prompter = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      choose('Deploy token'),
      type('gitlab+deploy-token-7'),
      type(TOKEN),
      choose('Verify now'),
      atStep(5, 7, choose('Skip verification')),
      choose('for all my projects'),
      chooseMany('Copy'),
    ]);
    assert.equal((await runScripted(prompter, services)).status, 'done');
    assert.equal(services.verified.length, 1);
  });
});

describe('credential wizard: keychain unavailable', () => {
  it('offers to use the credential once, which delivers it without storing', async () => {
    const services = fakeServices({ storeOutcome: { ok: false, reason: 'keyring-unavailable' } });
    const prompter = new ScriptedPrompter([
      ...stepsBeforeOutput(),
      expecting((call) => assert.match((call.options as PickOptions<unknown>).placeholder, /secret storage is not available/), choose('Use it once')),
      chooseMany('Copy'),
    ]);
    const outcome = await runScripted(prompter, services);
    assert.deepEqual(outcome, { status: 'done', registry: 'registry.gitlab.com', stored: false, actions: ['clipboard'] });
    assert.deepEqual(services.delivered, [
      {
        actions: ['clipboard'],
        registries: [],
        unstored: { registry: 'registry.gitlab.com', username: 'gitlab+deploy-token-7', secret: TOKEN, kind: 'deploy-token' },
      },
    ]);
  });

  it('Back from the keychain message returns to the storage choice', async () => {
    const services = fakeServices({ storeOutcome: { ok: false, reason: 'keyring-unavailable' } });
    const prompter = new ScriptedPrompter([...stepsBeforeOutput(), choose('Back'), atStep(6, 7, cancel)]);
    assert.deepEqual(await runScripted(prompter, services), { status: 'cancelled' });
    assert.match(prompter.calls.at(-1)!.options.placeholder ?? '', /Remember (this credential|it) for…$/);
  });
});

describe('credential wizard: credential kinds', () => {
  it('explains the CI job token instead of storing it, and returns to the kinds', async () => {
    const services = fakeServices();
    const prompter = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      choose('CI job token'),
      expecting((call) => assert.match(JSON.stringify((call.options as PickOptions<unknown>).items), /job token allowlist/), choose('Back')),
      atStep(2, 7, cancel),
    ]);
    await runScripted(prompter, services);
    assert.equal(services.stored.length, 0);
  });

  it("opens the page that creates the token from the item's button, then shows the kinds again", async () => {
    const services = fakeServices();
    const prompter = new ScriptedPrompter([
      choose('registry.example.com:5050'),
      (call) => {
        const deploy = (call.options as PickOptions<unknown>).items.find((item) => item.label === 'Deploy token')!;
        assert.equal(deploy.buttons?.[0]?.id, 'open-create-page');
        return { kind: 'button', id: 'open-create-page', item: deploy.value };
      },
      atStep(2, 7, back),
      atStep(1, 7, cancel),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(services.opened, ['https://gitlab.example.com/acme/tools/app/-/settings/repository#js-deploy-tokens']);
  });

  it('names the scope each GitLab kind needs', async () => {
    const prompter = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      expecting((call) => {
        const details = Object.fromEntries((call.options as PickOptions<unknown>).items.map((item) => [item.label, item.detail ?? '']));
        assert.match(details['Deploy token']!, /read_registry/);
        assert.match(details['Project access token']!, /read_registry.*write_registry to push/);
        assert.match(details['Project access token']!, /Any non-empty username/);
        assert.match(details['Personal access token']!, /read_registry/);
      }, cancel),
    ]);
    await runScripted(prompter, fakeServices());
  });

  it('"Create a registry token for me" appears only with a GitLab connection and skips to verification', async () => {
    const withoutConnection = new ScriptedPrompter([
      choose('registry.gitlab.com'),
      expecting((call) => assert.ok(!(call.options as PickOptions<unknown>).items.some((item) => item.label.includes('Create a registry token'))), cancel),
    ]);
    await runScripted(withoutConnection, fakeServices());

    const services = fakeServices({
      createToken: async () => ({ registry: 'registry.example.com:5050', username: 'project_12_bot', secret: TOKEN, expiresAt: '2027-01-31' }),
    });
    const prompter = new ScriptedPrompter([
      choose('registry.example.com:5050'),
      choose('Create a registry token for me'),
      atStep(5, 7, choose('Verify now')),
      choose('for all my projects'),
      chooseMany('Copy'),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(services.stored[0]!.credential, {
      registry: 'registry.example.com:5050',
      username: 'project_12_bot',
      secret: TOKEN,
      kind: 'created-in-gitlab',
      expiresAt: '2027-01-31',
    });
  });
  it('does not offer "Create a registry token for me" for a registry GitLab does not run, even when connected', async () => {
    const services = fakeServices({ createToken: async () => ({ registry: 'registry.example.com:5050', username: 'project_12_bot', secret: TOKEN }) });
    const prompter = new ScriptedPrompter([
      choose('Enter another registry'),
      type('127.0.0.1:5000'),
      expecting((call) => {
        const labels = (call.options as PickOptions<unknown>).items.map((item) => item.label);
        assert.ok(!labels.some((label) => label.includes('Create a registry token')), labels.join(' | '));
        assert.equal(labels[0], 'Registry account (username and password or token)');
      }, cancel),
    ]);
    assert.deepEqual(await runScripted(prompter, services), { status: 'cancelled' });
    assert.ok(prompter.finished);
  });
});

describe('credential wizard: output step', () => {
  it('asks which stored registries go into the output when there are several', async () => {
    const services = fakeServices({ storedRegistries: ['registry.gitlab.com', 'ghcr.io', 'quay.io'] });
    const prompter = new ScriptedPrompter([
      ...stepsBeforeOutput(),
      chooseMany('Copy'),
      expecting(
        (call) => assert.deepEqual((call.options as PickManyOptions<unknown>).pickedValues, ['registry.gitlab.com']),
        chooseMany('registry.gitlab.com', 'quay.io'),
      ),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(services.delivered[0]!.registries, ['registry.gitlab.com', 'quay.io']);
  });

  it('ticks every stored registry the pipeline uses, so a second run does not output a subset', async () => {
    const services = fakeServices({ storedRegistries: ['registry.gitlab.com', 'ghcr.io', 'quay.io'], usedRegistries: ['quay.io'] });
    const prompter = new ScriptedPrompter([
      ...stepsBeforeOutput(),
      chooseMany('Copy'),
      expecting(
        (call) => assert.deepEqual((call.options as PickManyOptions<unknown>).pickedValues, ['registry.gitlab.com', 'quay.io']),
        chooseMany('registry.gitlab.com', 'quay.io'),
      ),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(services.delivered[0]!.registries, ['registry.gitlab.com', 'quay.io']);
  });

  it('says so before outputting a value that leaves out a registry the pipeline uses; Back re-asks, "Leave them out" goes on', async () => {
    const services = fakeServices({ storedRegistries: ['registry.gitlab.com', 'ghcr.io', 'quay.io'], usedRegistries: ['quay.io'] });
    const prompter = new ScriptedPrompter([
      ...stepsBeforeOutput(),
      chooseMany('Copy'),
      chooseMany('registry.gitlab.com'),
      expecting(
        (call) => assert.match((call.options as PickOptions<unknown>).placeholder ?? '', /The pipeline also pulls from quay\.io/),
        choose('Back: tick them again'),
      ),
      chooseMany('registry.gitlab.com'),
      choose('Leave them out anyway'),
    ]);
    await runScripted(prompter, services);
    assert.deepEqual(services.delivered.length, 1, 'nothing was output before the user decided');
    assert.deepEqual(services.delivered[0]!.registries, ['registry.gitlab.com']);
  });

  it('offers the config.json step only when a job needs one, and asks which job', async () => {
    const none = new ScriptedPrompter([
      ...stepsBeforeOutput(),
      expecting((call) => assert.ok(!(call.options as PickManyOptions<unknown>).items.some((item) => item.value === 'config-step')), cancel),
    ]);
    await runScripted(none, fakeServices());

    const services = fakeServices({ jobs: ['build-image', 'release-image'] });
    const prompter = new ScriptedPrompter([...stepsBeforeOutput(), chooseMany('config.json step'), choose('release-image')]);
    await runScripted(prompter, services);
    assert.deepEqual(services.delivered, [{ actions: ['config-step'], registries: ['registry.gitlab.com'], configStepJob: 'release-image' }]);
  });

  it('offers "Save as CI/CD variable in GitLab" only when the connection can, and then skips the manual guidance', async () => {
    const services = fakeServices({ canSaveToGitLab: true });
    const prompter = new ScriptedPrompter([...stepsBeforeOutput(), chooseMany('Save as CI/CD variable in GitLab')]);
    await runScripted(prompter, services);
    assert.deepEqual(services.delivered[0]!.actions, ['gitlab-variable']);
    assert.equal(services.guidance.length, 0);

    const without = new ScriptedPrompter([
      ...stepsBeforeOutput(),
      expecting((call) => assert.ok(!(call.options as PickManyOptions<unknown>).items.some((item) => item.value === 'gitlab-variable')), cancel),
    ]);
    await runScripted(without, fakeServices());
  });
});
