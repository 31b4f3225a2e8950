/**
 * A file's size as people read it (340 kB, 2.4 MB), in decimal units as OneDrive and SharePoint
 * show sizes, formatted for the reader's locale. Shared by the tab's file cards and the bot's.
 */
const UNITS = [
  ['gigabyte', 1e9],
  ['megabyte', 1e6],
  ['kilobyte', 1e3],
  ['byte', 1],
] as const;

export function formatFileSize(bytes: number, locale: string): string {
  const [unit, size] = UNITS.find(([, s]) => bytes >= s) ?? UNITS[3];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: size === 1 ? 0 : 1 }).format(bytes / size);
}
