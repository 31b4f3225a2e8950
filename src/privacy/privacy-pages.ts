/**
 * The privacy statement (/privacy) and the terms of use (/terms) that the Teams manifest's
 * `privacyUrl` and `termsOfUseUrl` point at: public, server-rendered, in Dutch or English
 * (`?lang=` wins, then Accept-Language, then Dutch), with the organisation, its contact and its
 * data-protection officer from the configuration and every stored field from the catalogue.
 */
import { Router, type Request, type Response } from 'express';
import { escapeHtml } from '../content/markdown-syntax.js';
import { DEFAULT_LANGUAGE, type Language } from '../content/language.js';
import type { Explanation } from '../personal-data/explanation.js';
import { PERSONAL_DATA_CATALOGUE, type CatalogueEntry } from './personal-data-catalogue.js';
import { LEAVER_GRACE, RETENTION_KIND_NAMES, RETENTION_KINDS } from '../personal-data/retention-kinds.js';

export interface Organisation {
  name?: string | undefined;
  contact?: string | undefined;
  privacyOfficer?: string | undefined;
}

type Page = 'privacy' | 'terms';

/** The reader's language: `?lang=nl|en`, else the first of nl/en the browser accepts, else Dutch. */
export function pageLanguage(req: Request): Language {
  const asked = req.query.lang;
  if (asked === 'nl' || asked === 'en') return asked;
  const accepted = req.acceptsLanguages('nl', 'en');
  return accepted === 'en' ? 'en' : accepted === 'nl' ? 'nl' : DEFAULT_LANGUAGE;
}

export function privacyPagesRouter(deps: { organisation: Organisation }): Router {
  const router = Router();
  const send = (page: Page) => (req: Request, res: Response) => {
    const lang = pageLanguage(req);
    res.setHeader('Content-Language', lang);
    res.setHeader('Vary', 'Accept-Language');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('html').send(renderPage(page, lang, deps.organisation));
  };
  router.get('/privacy', send('privacy'));
  router.get('/terms', send('terms'));
  return router;
}

const T = {
  privacyTitle: { nl: 'Privacyverklaring', en: 'Privacy statement' },
  termsTitle: { nl: 'Gebruiksvoorwaarden', en: 'Terms of use' },
  nav: { nl: 'Over Meent', en: 'About Meent' },
  otherLanguage: { nl: 'English', en: 'Nederlands' },
  notConfigured: { nl: '(nog niet ingesteld door de organisatie)', en: '(not yet set by the organisation)' },
  whoTitle: { nl: 'Wie is verantwoordelijk', en: 'Who is responsible' },
  controller: { nl: 'Verwerkingsverantwoordelijke', en: 'Controller' },
  contact: { nl: 'Vragen over uw gegevens', en: 'Questions about your data' },
  officer: { nl: 'Functionaris gegevensbescherming (FG)', en: 'Data-protection officer' },
  whyTitle: { nl: 'Waarom Meent gegevens verwerkt', en: 'Why Meent processes data' },
  why: {
    nl: 'Meent is de plek waar medewerkers, ketenpartners en inwoners die de organisatie uitnodigt samen kennis delen: in communities, discussies, bijeenkomsten en raadplegingen. Meent verwerkt daarvoor de gegevens hieronder, niet meer. De grondslag is de uitvoering van een taak van algemeen belang (AVG artikel 6 lid 1 onder e); de organisatie kan dat in haar eigen verklaring nader invullen.',
    en: 'Meent is where staff, chain partners and residents the organisation invites share knowledge: in communities, discussions, events and consultations. Meent processes the data below for that, nothing more. The legal basis is the performance of a task in the public interest (GDPR article 6(1)(e)); the organisation may specify this in its own statement.',
  },
  retentionTitle: { nl: 'Hoe lang Meent gegevens bewaart', en: 'How long Meent keeps data' },
  retentionIntro: {
    nl: 'Dit zijn de standaardtermijnen; de organisatie kan ze binnen grenzen aanpassen. Meent verwijdert wat ouder is automatisch.',
    en: 'These are the default periods; the organisation may change them within bounds. Meent removes what is older automatically.',
  },
  kind: { nl: 'Soort gegevens', en: 'Kind of data' },
  days: { nl: 'Standaard (dagen)', en: 'Default (days)' },
  justification: { nl: 'Waarom', en: 'Why' },
  leavers: { nl: 'Mensen die de organisatie verlaten', en: 'People who leave the organisation' },
  rightsTitle: { nl: 'Uw rechten', en: 'Your rights' },
  rights: {
    nl: [
      'Inzage en meenemen (AVG art. 15 en 20): in Meent, op uw profielpagina, "Download mijn gegevens" geeft een ZIP-bestand met alles wat Meent over u bewaart.',
      'Wissen (AVG art. 17): op dezelfde pagina "Wis mij". Uw naam bij berichten wordt "Voormalig lid"; het auditlog houdt uw handelingen gepseudonimiseerd bij.',
      'Rectificatie, bezwaar en beperking: pas uw profiel zelf aan, of neem contact op met het adres hierboven.',
      'Klacht: u kunt een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).',
    ],
    en: [
      'Access and portability (GDPR art. 15 and 20): in Meent, on your profile page, "Download my data" gives a ZIP file with everything Meent keeps about you.',
      'Erasure (GDPR art. 17): on the same page, "Erase me". Your name on posts becomes "Former member"; the audit log keeps your actions pseudonymised.',
      'Rectification, objection and restriction: change your profile yourself, or contact the address above.',
      'Complaints: you may lodge a complaint with the Dutch Data Protection Authority, Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).',
    ],
  },
  fieldsTitle: { nl: 'Alle gegevens die Meent opslaat', en: 'Every piece of data Meent stores' },
  fieldsIntro: {
    nl: 'Deze lijst wordt gemaakt uit de datamodellen van Meent zelf; een veld dat hier niet staat, bestaat niet. Per verzameling (collection in de database): wat erin staat, waarom en hoe lang.',
    en: "This list is made from Meent's own data models; a field not listed here does not exist. Per collection in the database: what it holds, why and for how long.",
  },
  field: { nl: 'Veld', en: 'Field' },
  personal: { nl: 'Persoonsgegeven', en: 'Personal data' },
  purpose: { nl: 'Doel', en: 'Purpose' },
  yes: { nl: 'ja', en: 'yes' },
  no: { nl: 'nee', en: 'no' },
  collection: { nl: 'Verzameling', en: 'Collection' },
  keptFor: { nl: 'Bewaard', en: 'Kept' },
  thirdPartiesTitle: { nl: 'Waar de gegevens staan', en: 'Where the data lives' },
  thirdParties: {
    nl: 'Meent draait in de omgeving die de organisatie kiest en bewaart alles in haar eigen database. Profielgegevens komen uit Microsoft 365 van de organisatie; meldingen gaan via Microsoft Teams. Meent verkoopt of deelt geen gegevens.',
    en: "Meent runs where the organisation chooses and keeps everything in the organisation's own database. Profile data comes from the organisation's Microsoft 365; notifications go through Microsoft Teams. Meent sells or shares no data.",
  },
  termsIntro: {
    nl: 'Meent is een samenwerkingsomgeving binnen Microsoft Teams die wordt aangeboden door de organisatie hieronder. Door Meent te gebruiken gaat u akkoord met deze voorwaarden.',
    en: 'Meent is a collaboration space inside Microsoft Teams offered by the organisation below. By using Meent you agree to these terms.',
  },
  providerTitle: { nl: 'Wie biedt Meent aan', en: 'Who offers Meent' },
  useTitle: { nl: 'Wat wij van u vragen', en: 'What we ask of you' },
  use: {
    nl: [
      'Schrijf respectvol en naar waarheid; u bent verantwoordelijk voor wat u plaatst.',
      'Plaats geen vertrouwelijke informatie of bijzondere persoonsgegevens (zoals gezondheid) van uzelf of anderen.',
      'Gasten en ketenpartners zien alleen de communities die hen toelaten; deel daar niets dat alleen voor de eigen organisatie bedoeld is.',
      'Beheerders kunnen berichten verbergen of verwijderen en deelnemers blokkeren als deze regels worden overtreden. Meld ongepaste inhoud met "Melden".',
    ],
    en: [
      'Write respectfully and truthfully; you are responsible for what you post.',
      'Do not post confidential information or special categories of personal data (such as health) about yourself or others.',
      'Guests and chain partners only see the communities that admit them; share nothing there that is meant for the organisation only.',
      'Managers may hide or remove posts and block participants when these rules are broken. Report inappropriate content with "Report".',
    ],
  },
  availabilityTitle: { nl: 'Beschikbaarheid en wijzigingen', en: 'Availability and changes' },
  availability: {
    nl: 'De organisatie doet haar best Meent beschikbaar te houden maar garandeert dat niet. Zij kan deze voorwaarden wijzigen; de actuele versie staat altijd op deze pagina.',
    en: 'The organisation does its best to keep Meent available but does not guarantee it. It may change these terms; the current version is always on this page.',
  },
  privacyLink: { nl: 'Hoe Meent met uw gegevens omgaat staat in de privacyverklaring.', en: 'How Meent handles your data is in the privacy statement.' },
  footer: { nl: 'Meent: kennis delen binnen en tussen overheden.', en: 'Meent: sharing knowledge within and between governments.' },
} satisfies Record<string, Explanation | { nl: string[]; en: string[] }>;

function t(text: Explanation, lang: Language): string {
  return escapeHtml(text[lang]);
}

function contactHtml(value: string | undefined, lang: Language): string {
  if (!value) return `<em>${t(T.notConfigured, lang)}</em>`;
  const href = value.startsWith('https://') ? value : `mailto:${value}`;
  return `<a href="${escapeHtml(href)}">${escapeHtml(value)}</a>`;
}

function organisationHtml(organisation: Organisation, lang: Language): string {
  const name = organisation.name ? escapeHtml(organisation.name) : `<em>${t(T.notConfigured, lang)}</em>`;
  return `<dl>
<dt>${t(T.controller, lang)}</dt><dd>${name}</dd>
<dt>${t(T.contact, lang)}</dt><dd>${contactHtml(organisation.contact, lang)}</dd>
<dt>${t(T.officer, lang)}</dt><dd>${contactHtml(organisation.privacyOfficer, lang)}</dd>
</dl>`;
}

function list(items: string[]): string {
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

function retentionTable(lang: Language): string {
  const rows = RETENTION_KIND_NAMES.map((kind) => {
    const spec = RETENTION_KINDS[kind];
    return `<tr><th scope="row">${t(spec.label, lang)}</th><td>${spec.defaultDays}</td><td>${t(spec.justification, lang)}</td></tr>`;
  });
  rows.push(`<tr><th scope="row">${t(T.leavers, lang)}</th><td>${LEAVER_GRACE.defaultDays}</td><td>${t(LEAVER_GRACE.justification, lang)}</td></tr>`);
  return `<table>
<caption>${t(T.retentionTitle, lang)}</caption>
<thead><tr><th scope="col">${t(T.kind, lang)}</th><th scope="col">${t(T.days, lang)}</th><th scope="col">${t(T.justification, lang)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>`;
}

function collectionTable(entry: CatalogueEntry, lang: Language): string {
  const rows = Object.entries(entry.fields).map(([path, field]) => {
    const retention = field.retention ? ` ${t(T.keptFor, lang)}: ${t(field.retention, lang)}` : '';
    return `<tr><th scope="row"><code>${escapeHtml(path)}</code></th><td>${field.personal ? t(T.yes, lang) : t(T.no, lang)}</td><td>${t(field.purpose, lang)}${retention}</td></tr>`;
  });
  return `<section aria-labelledby="c-${escapeHtml(entry.collection)}">
<h3 id="c-${escapeHtml(entry.collection)}"><code>${escapeHtml(entry.collection)}</code></h3>
<p>${t(entry.purpose, lang)} <strong>${t(T.keptFor, lang)}:</strong> ${t(entry.retention, lang)}</p>
<table>
<caption>${t(T.collection, lang)} <code>${escapeHtml(entry.collection)}</code>: ${t(entry.purpose, lang)}</caption>
<thead><tr><th scope="col">${t(T.field, lang)}</th><th scope="col">${t(T.personal, lang)}</th><th scope="col">${t(T.purpose, lang)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
</section>`;
}

function privacyBody(lang: Language, organisation: Organisation): string {
  const entries = [...PERSONAL_DATA_CATALOGUE].sort((a, b) => a.collection.localeCompare(b.collection));
  return `<h1>${t(T.privacyTitle, lang)}</h1>
<section aria-labelledby="who"><h2 id="who">${t(T.whoTitle, lang)}</h2>${organisationHtml(organisation, lang)}</section>
<section aria-labelledby="why"><h2 id="why">${t(T.whyTitle, lang)}</h2><p>${t(T.why, lang)}</p></section>
<section aria-labelledby="where"><h2 id="where">${t(T.thirdPartiesTitle, lang)}</h2><p>${t(T.thirdParties, lang)}</p></section>
<section aria-labelledby="retention"><h2 id="retention">${t(T.retentionTitle, lang)}</h2><p>${t(T.retentionIntro, lang)}</p>${retentionTable(lang)}</section>
<section aria-labelledby="rights"><h2 id="rights">${t(T.rightsTitle, lang)}</h2>${list(T.rights[lang])}</section>
<section aria-labelledby="fields"><h2 id="fields">${t(T.fieldsTitle, lang)}</h2><p>${t(T.fieldsIntro, lang)}</p>
${entries.map((e) => collectionTable(e, lang)).join('\n')}
</section>`;
}

function termsBody(lang: Language, organisation: Organisation): string {
  return `<h1>${t(T.termsTitle, lang)}</h1>
<p>${t(T.termsIntro, lang)}</p>
<section aria-labelledby="provider"><h2 id="provider">${t(T.providerTitle, lang)}</h2>${organisationHtml(organisation, lang)}</section>
<section aria-labelledby="use"><h2 id="use">${t(T.useTitle, lang)}</h2>${list(T.use[lang])}</section>
<section aria-labelledby="availability"><h2 id="availability">${t(T.availabilityTitle, lang)}</h2><p>${t(T.availability, lang)}</p>
<p><a href="/privacy?lang=${lang}">${t(T.privacyLink, lang)}</a></p></section>`;
}

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; font: 1rem/1.5 "Segoe UI", system-ui, sans-serif; color: #1b1b1b; background: #fff; }
header, main, footer { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem; }
header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid #d1d1d1; }
header ul { display: flex; gap: 1.25rem; list-style: none; margin: 0; padding: 0; }
a { color: #0f548c; }
a:focus-visible { outline: 2px solid #0f548c; outline-offset: 2px; }
.brand { font-weight: 600; font-size: 1.25rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #d1d1d1; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
dt { font-weight: 600; }
dd { margin: 0 0 0.5rem 0; }
footer { border-top: 1px solid #d1d1d1; color: #424242; }
`;

export function renderPage(page: Page, lang: Language, organisation: Organisation): string {
  const title = page === 'privacy' ? T.privacyTitle : T.termsTitle;
  const other: Language = lang === 'nl' ? 'en' : 'nl';
  const org = organisation.name ? ` · ${escapeHtml(organisation.name)}` : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(title, lang)} · Meent${org}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<span class="brand">Meent${org}</span>
<nav aria-label="${t(T.nav, lang)}"><ul>
<li><a href="/privacy?lang=${lang}"${page === 'privacy' ? ' aria-current="page"' : ''}>${t(T.privacyTitle, lang)}</a></li>
<li><a href="/terms?lang=${lang}"${page === 'terms' ? ' aria-current="page"' : ''}>${t(T.termsTitle, lang)}</a></li>
<li><a href="/${page}?lang=${other}" lang="${other}" hreflang="${other}">${t(T.otherLanguage, lang)}</a></li>
</ul></nav>
</header>
<main>
${page === 'privacy' ? privacyBody(lang, organisation) : termsBody(lang, organisation)}
</main>
<footer><p>${t(T.footer, lang)}</p></footer>
</body>
</html>
`;
}
