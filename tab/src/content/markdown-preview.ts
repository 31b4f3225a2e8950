/**
 * The composer's preview: the same Markdown subset the server renders (src/content/markdown.ts),
 * parsed by the same code (src/content/markdown-syntax.ts) but made in the browser so previewing
 * costs no request. Raw HTML is shown as text, images become links, and the result is filtered
 * through the server's allow-list of tags and link schemes.
 * What is stored is always the server's rendering; this is only a preview.
 */
import { MARKDOWN_TAGS, parseMarkdown } from '../../../src/content/markdown-syntax.js';

const ALLOWED_TAGS = new Set<string>(MARKDOWN_TAGS.map((tag) => tag.toUpperCase()));
const SAFE_LINK = /^(https?:|mailto:)/i;

function clean(node: Node, into: Node, doc: Document): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.appendChild(doc.createTextNode(child.textContent ?? ''));
    } else if (child instanceof Element) {
      if (!ALLOWED_TAGS.has(child.tagName)) {
        // Unknown elements keep their text, never their markup.
        into.appendChild(doc.createTextNode(child.textContent ?? ''));
        continue;
      }
      const copy = doc.createElement(child.tagName.toLowerCase());
      if (child.tagName === 'A') {
        const href = child.getAttribute('href') ?? '';
        if (SAFE_LINK.test(href.trim())) copy.setAttribute('href', href.trim());
        copy.setAttribute('rel', 'noopener noreferrer nofollow');
        copy.setAttribute('target', '_blank');
      } else if (child.tagName === 'OL' && /^\d+$/.test(child.getAttribute('start') ?? '')) {
        copy.setAttribute('start', child.getAttribute('start')!);
      }
      clean(child, copy, doc);
      into.appendChild(copy);
    }
  }
}

/** Markdown source → safe HTML for the preview. */
export function previewMarkdown(source: string): string {
  const parsed = new DOMParser().parseFromString(`<body>${parseMarkdown(source)}</body>`, 'text/html');
  const out = document.implementation.createHTMLDocument('');
  const container = out.createElement('div');
  clean(parsed.body, container, out);
  return container.innerHTML;
}
