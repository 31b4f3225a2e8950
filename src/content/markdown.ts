/**
 * Markdown for user content (discussion bodies, replies, community and event descriptions):
 * a safe subset (paragraphs, emphasis, lists, links, quotes, code, headings, line breaks)
 * rendered to HTML on the server and sanitized with an allow-list. Raw HTML in the source is
 * shown as text, never interpreted; links keep only http(s) and mailto targets and get
 * `rel="noopener noreferrer nofollow"`. The source is stored beside the HTML so it can be
 * edited and re-rendered when these rules change.
 */
import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** The stored form of a Markdown text: what the author wrote and what readers are shown. */
export interface RenderedMarkdown {
  source: string;
  html: string;
}

const escapeHtml = (text: string): string =>
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

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'del', 'ul', 'ol', 'li', 'a', 'blockquote', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }),
  },
};

/** Renders Markdown to sanitized HTML. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return sanitizeHtml(html, sanitizeOptions).trim();
}

/** The stored pair for a Markdown text. */
export function markdown(source: string): RenderedMarkdown {
  return { source, html: renderMarkdown(source) };
}

/** Plain text of a Markdown source (for search terms and notification previews). */
export function markdownToText(source: string): string {
  return sanitizeHtml(renderMarkdown(source), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
