/** File names made from titles (downloads: .ics invitations, CSV exports). */

/** Lower-case ASCII letters and digits joined by hyphens, at most 60 characters; `fallback` when nothing is left. */
export function fileSlug(title: string, fallback: string): string {
  return title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || fallback;
}
