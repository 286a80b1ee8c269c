import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FINDING_CODES } from '../../src/core/rules/codes';

// The compiled test runs from out/test/unit; the manifest and media are at the repository root.
const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    walkthroughs: { steps: { id: string; description: string; media: { markdown?: string; image?: string } }[] }[];
  };
};
const shipped = fs
  .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('!'))
  .map((line) => line.slice(1));

/** Whether a .vscodeignore re-include pattern (`dir/**`, `name-*.png`, exact) ships `file`. */
function isShipped(file: string): boolean {
  return shipped.some((pattern) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*/g, '.*')
        .replace(/(?<!\.)\*/g, '[^/]*')}$`,
    ).test(file),
  );
}

test('every command has a title and the "GitLab CI Auth" category', () => {
  for (const command of manifest.contributes.commands) {
    assert.ok(command.title.length > 0, command.command);
    assert.equal(command.category, 'GitLab CI Auth', command.command);
  }
});

test('walkthrough steps show shipped media, and their images exist and ship too', () => {
  const steps = manifest.contributes.walkthroughs.flatMap((walkthrough) => walkthrough.steps);
  assert.ok(steps.length >= 3);
  for (const step of steps) {
    const media = step.media.markdown ?? step.media.image;
    assert.ok(media, `${step.id} has media`);
    assert.ok(fs.existsSync(path.join(root, media)), `${media} exists`);
    assert.ok(isShipped(media), `${media} is in the .vsix`);
    if (!step.media.markdown) continue;
    const markdown = fs.readFileSync(path.join(root, media), 'utf8');
    for (const [, image] of markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      const file = path.posix.join(path.posix.dirname(media), image!);
      assert.ok(fs.existsSync(path.join(root, file)), `${file} (in ${media}) exists`);
      assert.ok(isShipped(file), `${file} (in ${media}) is in the .vsix`);
    }
  }
});

test('walkthrough command links name contributed commands', () => {
  const contributed = new Set(manifest.contributes.commands.map((command) => command.command));
  for (const step of manifest.contributes.walkthroughs.flatMap((walkthrough) => walkthrough.steps)) {
    for (const [, command] of step.description.matchAll(/\(command:([\w.]+)/g)) {
      assert.ok(contributed.has(command!) || command!.startsWith('workbench.'), `${step.id} links ${command}`);
    }
  }
});

test('every rule code has its page in docs/rules/<code>.md, shipped in the .vsix, and no page without a code', () => {
  const pages = fs.readdirSync(path.join(root, 'docs/rules')).filter((name) => name.endsWith('.md'));
  for (const code of FINDING_CODES) {
    const page = `docs/rules/${code}.md`;
    assert.ok(pages.includes(`${code}.md`), `${page} exists (one Markdown file per rule code)`);
    assert.ok(isShipped(page), `${page} is in the .vsix`);
    assert.match(fs.readFileSync(path.join(root, page), 'utf8'), new RegExp(`^# ${code}\\n`), `${page} starts with "# ${code}"`);
  }
  assert.deepEqual(
    pages.filter((name) => !(FINDING_CODES as readonly string[]).includes(name.slice(0, -3))),
    [],
    'pages for unknown codes',
  );
});

test('README images are relative links to files shipped in the .vsix, and no example.invalid placeholder is left', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  assert.ok(images.length >= 3);
  for (const image of images) {
    assert.ok(!/^\w+:/.test(image), `${image} is relative`);
    assert.ok(fs.existsSync(path.join(root, image)), `${image} exists`);
    assert.ok(isShipped(image), `${image} is in the .vsix`);
  }
  const packageScript = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['package']!;
  assert.match(packageScript, /--no-rewrite-relative-links/);
  assert.doesNotMatch(fs.readFileSync(path.join(root, 'package.json'), 'utf8'), /example\.invalid/);
});

test('the .vsix ships every file the manifest points at (main, browser, bin, icon) and no bundle the build does not make', () => {
  const files = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    main: string;
    browser: string;
    bin: Record<string, string>;
    icon: string;
  };
  for (const file of [files.main, files.browser, ...Object.values(files.bin), files.icon].map((name) => path.posix.normalize(name))) {
    assert.ok(isShipped(file), `${file} is in the .vsix`);
  }
  // esbuild.config.mjs builds exactly these bundles: an entry for another would ship a stale file or nothing.
  assert.deepEqual(shipped.filter((pattern) => pattern.startsWith('dist/')).sort(), ['dist/cli.js', 'dist/extension.js', 'dist/web/extension.js']);
});
