/**
 * The one CSV writer behind every export (community members, event registrations, meeting
 * attendance). The files are made for the spreadsheet they are opened in: Excel on a Dutch
 * Windows desktop, by double-click.
 *
 * - `;` separates fields. Excel splits a .csv it opens by double-click on the Windows list
 *   separator, which is `;` under Dutch regional settings (the comma is the decimal sign
 *   there); a comma-separated file lands in one column, and a value's own `;` would start a
 *   new cell, which is how `LTO;=1+1;` became a live formula.
 * - UTF-8 with a byte order mark: without the mark Excel reads the file in the ANSI code page
 *   (Windows-1252) and mangles ë, é and every name outside it.
 * - No `sep=;` first line, although it would pin the separator under any locale: with it,
 *   Excel ignores the byte order mark and reads ANSI again (Belphemur/vue-json-csv#43,
 *   alexcaza/export-to-csv#119). English-locale Excel users use Data > From Text/CSV.
 * - Every field quoted, quotes doubled, CRLF line ends (RFC 4180), so neither separator nor
 *   line break inside a value can start a cell.
 * - Formulas neutralised (OWASP "CSV Injection"): a field that a spreadsheet would run (a
 *   leading =, +, -, @, tab or carriage return) gets a leading apostrophe, and so does the
 *   same inside a field after anything a reader might split on (`;`, `,`, tab, line break,
 *   with spaces or quotes between), in case the file reaches a program that splits on
 *   another separator or ignores the quotes.
 */
import { fileSlug } from './file-name.js';

/** A CSV export as the routes send it. */
export interface CsvFile {
  filename: string;
  csv: string;
}

export const CSV_SEPARATOR = ';';
const BOM = '\uFEFF';
const FORMULA_AT_START = /^(?:[ \t\r\n"]*[=+\-@]|[\t\r])/;
const FORMULA_AFTER_SPLIT = /([;,\t\r\n][ \t\r\n"]*)(?=[=+\-@])/g;

/** The whole file: byte order mark, header row, rows, CRLF after each line. */
export function toCsv(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [headers, ...rows].map((row) => row.map(csvField).join(CSV_SEPARATOR));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** A CSV file named `<kind>-<slug of title>.csv`. */
export function csvFile(kind: string, title: string, headers: readonly string[], rows: readonly (readonly string[])[]): CsvFile {
  return { filename: `${kind}-${fileSlug(title, 'export')}.csv`, csv: toCsv(headers, rows) };
}

/** One field, neutralised and quoted. */
export function csvField(value: string): string {
  return `"${neutralise(value).replace(/"/g, '""')}"`;
}

function neutralise(value: string): string {
  const inside = value.replace(FORMULA_AFTER_SPLIT, "$1'");
  return FORMULA_AT_START.test(inside) ? `'${inside}` : inside;
}
