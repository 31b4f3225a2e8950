/**
 * Meent's Markdown subset as syntax: how a source becomes HTML before any sanitizing. Raw
 * HTML is echoed as text and images become links. Pure (only `marked`), so the server's
 * renderer (markdown.ts) and the tab's preview parse alike; each sanitizes with its own
 * tools, allowing only MARKDOWN_TAGS.
 */
import { Marked, type Tokens } from 'marked';

/** The tags the subset may produce; everything else is escaped or reduced to its text. */
export const MARKDOWN_TAGS = ['p', 'br', 'em', 'strong', 'del', 'ul', 'ol', 'li', 'a', 'blockquote', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr'] as const;

/** Text made safe to put between HTML tags and inside quoted attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML blocks and inline tags are echoed as text: authors write Markdown, not HTML.
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text);
    },
    // Images are not part of the subset: shown as a link to the image instead.
    image(token: Tokens.Image): string {
      return `<a href="${escapeHtml(token.href)}">${escapeHtml(token.text || token.href)}</a>`;
    },
  },
});

/** Markdown source → HTML of the subset, not yet sanitized. */
export function parseMarkdown(source: string): string {
  return marked.parse(source, { async: false });
}
