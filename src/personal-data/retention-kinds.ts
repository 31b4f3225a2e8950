/**
 * The kinds of data whose retention an organisation admin sets, with the default, the bounds
 * and why the default is what it is. One entry per kind: the privacy-settings model, its API
 * schema, the catalogue on /privacy and the retention job all read this table, so a
 * capability that brings a new kind of data (consultations, analytics) adds one entry here and
 * registers its purge in the retention registry.
 */
import type { Explanation } from './explanation.js';

export interface RetentionKindSpec {
  /** Days kept when the organisation has not chosen. */
  defaultDays: number;
  /** The shortest and longest an admin may choose. */
  minDays: number;
  maxDays: number;
  /** What the kind is, for the settings and the privacy statement. */
  label: Explanation;
  /** Why the default is what it is (the privacy statement prints it). */
  justification: Explanation;
}

export const RETENTION_KINDS = {
  auditLog: {
    defaultDays: 365,
    minDays: 30,
    maxDays: 3650,
    label: { nl: 'Auditlog', en: 'Audit log' },
    justification: {
      nl: 'Een jaar: lang genoeg om een incident of een klacht over toegang achteraf te onderzoeken (de BIO vraagt logging die onderzoek mogelijk maakt), kort genoeg om niet meer over mensen te bewaren dan nodig.',
      en: 'One year: long enough to investigate an incident or a complaint about access afterwards (the Dutch government baseline BIO asks for logs that make that possible), short enough not to keep more about people than needed.',
    },
  },
  notificationDeliveries: {
    defaultDays: 90,
    minDays: 7,
    maxDays: 3650,
    label: { nl: 'Verstuurde meldingen', en: 'Sent notifications' },
    justification: {
      nl: 'Negentig dagen: genoeg om een vraag als "waarom kreeg ik deze melding?" te beantwoorden en dubbele verzending te voorkomen; daarna heeft niemand er nog iets aan.',
      en: 'Ninety days: enough to answer "why did I get this notification?" and to prevent sending twice; after that it serves no one.',
    },
  },
  analytics: {
    defaultDays: 30,
    minDays: 1,
    // The analytics rollup deletes raw events after 30 days whatever is set here (analytics-rollup.ts).
    maxDays: 30,
    label: { nl: 'Ruwe gebruiksgegevens', en: 'Raw usage events' },
    justification: {
      nl: 'Dertig dagen: losse paginabezoeken en handelingen (onder een pseudoniem dat elke dag wisselt) zijn alleen nodig tot ze in dagtellingen zijn opgeteld. De dagtellingen zijn niet tot personen herleidbaar en blijven, zodat een maand met dezelfde maand een jaar eerder te vergelijken is.',
      en: 'Thirty days: single page views and actions (under a pseudonym that changes every day) are needed only until they are added into daily counts. The daily counts do not lead back to a person and stay, so a month can be compared with the same month a year before.',
    },
  },
  consultationResponses: {
    defaultDays: 365,
    minDays: 1,
    maxDays: 3650,
    label: { nl: 'Antwoorden op gesloten raadplegingen', en: "Closed consultations' raw responses" },
    justification: {
      nl: 'Een jaar na het sluiten: de uitkomst en de conclusie blijven, de losse antwoorden zijn dan verwerkt en kunnen weg; een jaar laat ruimte voor bezwaar en verantwoording.',
      en: 'One year after closing: the result and conclusion stay; the individual responses have been processed by then; a year leaves room for objections and accountability.',
    },
  },
  exportFiles: {
    defaultDays: 1,
    minDays: 1,
    // Fixed: the privacy worker removes an export with its 24-hour download link
    // (export.service.ts purgeExpiredExports), so a longer period would be a setting that does nothing.
    maxDays: 1,
    label: { nl: 'Exportbestanden ("download mijn gegevens")', en: 'Export files ("download my data")' },
    justification: {
      nl: 'Een dag: de downloadlink verloopt na 24 uur; een kopie van iemands gegevens hoort niet langer klaar te liggen.',
      en: 'One day: the download link expires after 24 hours; a copy of someone’s data should not wait around longer.',
    },
  },
  invitations: {
    defaultDays: 30,
    minDays: 1,
    maxDays: 365,
    label: { nl: 'Ingetrokken en mislukte uitnodigingen per e-mail', en: 'Withdrawn and failed invitations by e-mail' },
    justification: {
      nl: 'Dertig dagen na het intrekken of mislukken: genoeg voor de beheerder om te zien wat er misging en het opnieuw te proberen; daarna is het e-mailadres niet meer nodig.',
      en: 'Thirty days after being withdrawn or failing: enough for the manager to see what went wrong and try again; after that the e-mail address is no longer needed.',
    },
  },
} as const satisfies Record<string, RetentionKindSpec>;

export type RetentionKind = keyof typeof RETENTION_KINDS;

export const RETENTION_KIND_NAMES = Object.keys(RETENTION_KINDS) as [RetentionKind, ...RetentionKind[]];

/** How long someone who left the organisation is kept before erasure, unless the admin chooses otherwise. */
export const LEAVER_GRACE = {
  defaultDays: 30,
  minDays: 0,
  maxDays: 365,
  justification: {
    nl: 'Dertig dagen: Microsoft 365 bewaart een verwijderd account dertig dagen in de prullenbak; wie per vergissing is verwijderd en terugkomt, vindt alles terug. Daarna wist Meent de persoon.',
    en: 'Thirty days: Microsoft 365 keeps a deleted account in its recycle bin for thirty days; someone removed by mistake who comes back finds everything. After that Meent erases the person.',
  },
} as const;
