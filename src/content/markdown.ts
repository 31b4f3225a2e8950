/**
 * Markdown for user content (discussion bodies, replies, community and event descriptions):
 * a safe subset (paragraphs, emphasis, lists, links, quotes, code, headings, line breaks)
 * rendered to HTML on the server and sanitized with an allow-list. Raw HTML in the source is
 * shown as text, never interpreted; links keep only http(s) and mailto targets and get
 * `rel="noopener noreferrer nofollow"`. The source is stored beside the HTML so it can be
 * edited and re-rendered when these rules change.
 */
import sanitizeHtml from 'sanitize-html';
import { MARKDOWN_TAGS, parseMarkdown } from './markdown-syntax.js';

/** The stored form of a Markdown text: what the author wrote and what readers are shown. */
export interface RenderedMarkdown {
  source: string;
  html: string;
}

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [...MARKDOWN_TAGS],
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
  return sanitizeHtml(parseMarkdown(source), sanitizeOptions).trim();
}

/** The stored pair for a Markdown text. */
export function markdown(source: string): RenderedMarkdown {
  return { source, html: renderMarkdown(source) };
}

/** How much of a discussion or reply shows in lists, feeds and previews. */
export const EXCERPT_LENGTH = 280;

/** The plain-text excerpt of a Markdown source. */
export function excerptOf(source: string): string {
  return markdownToText(source).slice(0, EXCERPT_LENGTH);
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
