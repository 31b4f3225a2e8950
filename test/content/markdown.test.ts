import assert from 'node:assert/strict';
import { markdown, markdownToText, renderMarkdown } from '../../src/content/markdown.js';

describe('Markdown rendering', () => {
  it('renders the safe subset', () => {
    assert.equal(renderMarkdown('*a* **b** `c`'), '<p><em>a</em> <strong>b</strong> <code>c</code></p>');
    assert.match(renderMarkdown('- x\n- y'), /<ul>\n<li>x<\/li>\n<li>y<\/li>\n<\/ul>/);
    assert.match(renderMarkdown('> q'), /<blockquote>\n<p>q<\/p>\n<\/blockquote>/);
    assert.match(renderMarkdown('```\n<b>code</b>\n```'), /<pre><code>&lt;b&gt;code&lt;\/b&gt;\n<\/code><\/pre>/);
  });

  it('shows raw HTML as text and never lets scripts or handlers through', () => {
    for (const attack of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>', '<iframe src="https://evil"></iframe>', '<svg onload=alert(1)>', '<div style="background:url(javascript:x)">y</div>']) {
      const html = renderMarkdown(attack);
      assert.ok(!/<(script|img|iframe|svg|div)\b/i.test(html), `${attack} -> ${html}`);
      assert.ok(!/<[^>]+\s(on\w+|style)=/i.test(html), `${attack} -> ${html}`);
    }
  });

  it('keeps only http(s) and mailto links, with rel="noopener noreferrer nofollow"', () => {
    assert.equal(renderMarkdown('[x](https://a.nl)'), '<p><a href="https://a.nl" rel="noopener noreferrer nofollow">x</a></p>');
    assert.equal(renderMarkdown('[m](mailto:a@b.nl)'), '<p><a href="mailto:a@b.nl" rel="noopener noreferrer nofollow">m</a></p>');
    for (const bad of ['[x](javascript:alert(1))', '[x](data:text/html,hi)', '[x](//evil.example)', '[x](vbscript:y)']) {
      assert.ok(!/href=/.test(renderMarkdown(bad)), bad);
    }
    assert.equal(renderMarkdown('![pic](https://a.nl/p.png)'), '<p><a href="https://a.nl/p.png" rel="noopener noreferrer nofollow">pic</a></p>');
  });

  it('keeps the source with the HTML and gives plain text for previews', () => {
    assert.deepEqual(markdown('**b**'), { source: '**b**', html: '<p><strong>b</strong></p>' });
    assert.equal(markdownToText('# Kop\n\nTekst met **nadruk** & <tag>'), 'Kop Tekst met nadruk & <tag>');
  });
});
