/**
 * Saves a file the API served (`ApiClient.file`) on the user's device. The file is fetched
 * with the user's credential first, because inside Teams a plain link would carry none.
 */
import type { DownloadedFile } from '../api/api-client.js';

export function saveFile(file: DownloadedFile, fallbackName: string): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename ?? fallbackName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
