/**
 * Repository values in hovers (issue 13, item 7): rendered with marked, the Markdown renderer VS Code's hovers use,
 * a value shows as its own text and never becomes a link, an image, HTML or a broken code span.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, markdownCode } from '../../src/core/text';
import { hostile } from '../support/fuzz';

async function render(markdown: string): Promise<string> {
  const { marked } = await import('marked');
  return marked.parse(markdown, { async: false });
}

/** The text of rendered HTML (entities decoded), to compare with the value that went in. */
function textOf(html: string): string {
  return html
    .replace(/<[^<>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

const values = [...hostile.markdownValues, 'registry.example.com/a`b`c:1', '````', ' `x` ', '$DOCKER_AUTH_CONFIG', 'https://evil.example/x'];

describe('Markdown in hover values', () => {
  it('keeps every value inside one code span', async () => {
    for (const value of values) {
      const html = await render(`Expands to ${markdownCode(value)}`);
      assert.doesNotMatch(html, /<a |<img |<h\d|<hr|<em>|<strong>/, `${JSON.stringify(value)} → ${html}`);
      assert.equal((html.match(/<code>/g) ?? []).length, 1, `one code span for ${JSON.stringify(value)}: ${html}`);
      const inCode = /<code>([\s\S]*)<\/code>/.exec(html)![1]!;
      assert.equal(textOf(inCode).trim(), value.replace(/[\r\n]/g, ' ').trim(), `${JSON.stringify(value)} shown as written`);
    }
  });

  it('shows escaped plain text as written, with no markup', async () => {
    for (const value of values) {
      const html = await render(`Covered by ${escapeMarkdown(value)}`);
      assert.doesNotMatch(html, /<a |<img |<code>|<h\d|<hr|<em>|<strong>|<del>|<table/, `${JSON.stringify(value)} → ${html}`);
      const spaced = (text: string) => text.replace(/\s+/g, ' ').trim();
      assert.equal(spaced(textOf(html)), spaced(`Covered by ${value}`));
    }
  });
});
