import assert from 'node:assert/strict';
import { csvField, csvFile, toCsv } from '../../src/content/csv.js';

/** RFC 4180 with `;`, as Excel under Dutch regional settings reads a file it opens. */
function parse(text: string): string[][] {
  assert.ok(text.startsWith('\uFEFF'), 'UTF-8 byte order mark');
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 1;
  while (i < text.length) {
    assert.equal(text[i], '"', `every field is quoted (at ${i})`);
    let value = '';
    i++;
    for (;;) {
      const c = text[i];
      assert.ok(c !== undefined, 'an unterminated field');
      if (c === '"' && text[i + 1] === '"') {
        value += '"';
        i += 2;
      } else if (c === '"') {
        i++;
        break;
      } else {
        value += c;
        i++;
      }
    }
    row.push(value);
    if (text[i] === ';') {
      i++;
    } else {
      assert.equal(text.slice(i, i + 2), '\r\n', 'CRLF after every line');
      rows.push(row);
      row = [];
      i += 2;
    }
  }
  return rows;
}

/** The cells a reader makes that ignores the quotes and splits on `separator`. */
function naiveCells(text: string, separator: RegExp): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .flatMap((line) => line.split(separator))
    .map((cell) => cell.replace(/^[\s"]+/, ''));
}

const FORMULA = /^[=+\-@]/;

const HOSTILE = [
  '=1+1',
  '+31 6 12345678',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=1+1',
  '\r=1+1',
  'LTO;=1+1;',
  'LTO; =1+1',
  'Waterschap,=HYPERLINK("http://evil.example","klik")',
  'a;"=1+1"',
  'a; \t"@cmd"',
  'regel één\n=1+1',
  'regel één\r\n+1',
  'tab\t-1',
  ' =1+1',
  '"=1+1"',
  "=cmd|' /C calc'!A0",
  'x;;;;@y',
];

describe('the CSV writer', () => {
  it('writes UTF-8 with a byte order mark, `;` between quoted fields, quotes doubled, CRLF line ends', () => {
    const csv = toCsv(['Naam', 'E-mail'], [['Anneke "Ank" de Vries', 'ank@gemeente.example'], ['Jan-Willem Ëlberg', '']]);
    assert.equal(csv, '\uFEFF"Naam";"E-mail"\r\n"Anneke ""Ank"" de Vries";"ank@gemeente.example"\r\n"Jan-Willem Ëlberg";""\r\n');
    assert.deepEqual(parse(csv), [
      ['Naam', 'E-mail'],
      ['Anneke "Ank" de Vries', 'ank@gemeente.example'],
      ['Jan-Willem Ëlberg', ''],
    ]);
  });

  it('leaves ordinary values as they are', () => {
    for (const value of ['Jan-Willem', 'piet@waterschap.example', 'Gemeente Oost, afdeling Water', '2025-03-01T09:00:00.000Z', '57', 'één; twee']) {
      assert.equal(csvField(value), `"${value}"`, value);
    }
  });

  it('keeps every hostile value in one cell, never starting a formula, also where a value holds a separator', () => {
    const csv = toCsv(['Naam'], HOSTILE.map((value) => [value]));
    const rows = parse(csv);
    assert.equal(rows.length, HOSTILE.length + 1, 'one row per value: no separator or line break made a cell or a line');
    for (const [index, value] of HOSTILE.entries()) {
      const cell = rows[index + 1]?.[0] ?? '';
      assert.ok(!/^[=+\-@\t\r]/.test(cell), `${JSON.stringify(value)} -> ${JSON.stringify(cell)}`);
      // Nothing is lost but the apostrophes that make text of formulas.
      assert.equal(cell.replace(/'/g, ''), value.replace(/'/g, ''));
    }
  });

  it('leaves no formula for a reader that ignores the quotes and splits on `;`, `,` or tab', () => {
    const csv = toCsv(['Naam', 'Organisatie'], HOSTILE.map((value) => [value, value]));
    for (const separator of [/;/, /,/, /\t/]) {
      for (const cell of naiveCells(csv, separator)) assert.ok(!FORMULA.test(cell), `${String(separator)}: ${JSON.stringify(cell)}`);
    }
  });

  it('names the file after its kind and title', () => {
    assert.equal(csvFile('members', 'Klimaatadaptatie Achterhoek!', ['a'], []).filename, 'members-klimaatadaptatie-achterhoek.csv');
    assert.equal(csvFile('attendance', '', ['a'], []).filename, 'attendance-export.csv');
  });
});
