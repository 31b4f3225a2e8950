/** Sends a CSV export as a download (every export route answers the same way). */
import type { Response } from 'express';
import type { CsvFile } from '../content/csv.js';

export function sendCsv(res: Response, file: CsvFile): void {
  res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
  res.type('text/csv; charset=utf-8').send(file.csv);
}
