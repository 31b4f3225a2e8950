/** README.html of a data export: what each file holds, in the person's language. */
import type { Language } from '../content/language.js';
import type { ExportFile } from '../personal-data/personal-data.js';

const TEXT: Record<Language, { title: string; intro: string; made: string; anonymous: string; format: string; file: string; contents: string }> = {
  nl: {
    title: 'Jouw gegevens in Meent',
    intro: 'Dit archief bevat de persoonsgegevens die Meent over jou bewaart (AVG artikel 15 en 20). Elk bestand is JSON: een lijst van records.',
    made: 'Gemaakt op',
    anonymous: 'Anonieme antwoorden op raadplegingen staan er niet in: Meent bewaart bij een anoniem antwoord met opzet niets dat naar jou terugleidt, dus ook Meent kan ze niet aan jou koppelen.',
    format: 'Datums zijn in UTC (ISO 8601). Teksten staan in Markdown, zoals je ze schreef.',
    file: 'Bestand',
    contents: 'Inhoud',
  },
  en: {
    title: 'Your data in Meent',
    intro: 'This archive holds the personal data Meent keeps about you (GDPR articles 15 and 20). Every file is JSON: a list of records.',
    made: 'Made on',
    anonymous: 'Anonymous consultation answers are not included: by design Meent keeps nothing with an anonymous answer that leads back to you, so not even Meent can link them to you.',
    format: 'Dates are in UTC (ISO 8601). Texts are in Markdown, as you wrote them.',
    file: 'File',
    contents: 'Contents',
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function exportReadme(language: Language, files: readonly ExportFile[], madeAt: Date): string {
  const t = TEXT[language];
  const rows = files.map((f) => `<tr><th scope="row"><code>${escapeHtml(f.name)}</code></th><td>${escapeHtml(f.describe[language])}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="${language}">
<head><meta charset="utf-8"><title>${t.title}</title></head>
<body>
<h1>${t.title}</h1>
<p>${t.intro}</p>
<p>${t.made} ${madeAt.toISOString()}.</p>
<table>
<thead><tr><th scope="col">${t.file}</th><th scope="col">${t.contents}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>${t.anonymous}</p>
<p>${t.format}</p>
</body>
</html>
`;
}
