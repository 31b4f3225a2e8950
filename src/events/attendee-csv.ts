/**
 * CSV for the attendee export (RFC 4180: CRLF line ends, every field quoted, quotes
 * doubled), with a UTF-8 byte order mark so that Excel reads Dutch names correctly.
 * Fields that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
 * carriage return) are prefixed with an apostrophe, so a name like `=HYPERLINK(...)` stays
 * text (https://owasp.org/www-community/attacks/CSV_Injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function toCsv(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [headers, ...rows].map((row) => row.map(field).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function field(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}
