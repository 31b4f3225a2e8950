/**
 * Text that people wrote (titles, names, excerpts, replies, places), made safe to show in an
 * Adaptive Card `TextBlock` or `Fact`. Teams renders Markdown there, links included, so a
 * title `[Open the agenda](https://evil.example)` would otherwise become a link that the
 * card, sent by Meent's bot, vouches for.
 * (Markdown in `TextBlock`, `Fact.Title` and `Fact.Value`: https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format)
 *
 * Every Markdown character gets a backslash (CommonMark's escape, which the Adaptive Cards
 * renderers process). A client that shows the backslash instead of processing it still shows
 * no link: a link needs `](` side by side, and a backslash now stands between them. Block
 * syntax (headings, list items, quotes) only counts at the start of a line, so only there
 * are `#`, `-`, `+`, `=` and a list number's dot escaped. Never use this for input values:
 * an `Input.Text` shows its value as typed, and the backslashes would be sent back.
 */
const INLINE = /[\\`*_~[\]()<>]/g;
const LINE_START = /^([ \t]*)([#+=-])/gm;
const ORDERED_ITEM = /^([ \t]*\d+)\./gm;

export function escapeMarkdown(text: string): string {
  return text.replace(INLINE, '\\$&').replace(LINE_START, '$1\\$2').replace(ORDERED_ITEM, '$1\\.');
}
