/**
 * The personal-data framework: every capability that stores something about a person
 * contributes one `PersonalDataContributor` (in its own folder, e.g.
 * src/discussions/discussions-personal-data.ts), which knows how to export and how to erase
 * that capability's data of a person. The privacy capability assembles them (export ZIP,
 * erasure job); the composition root lists them, so adding a capability is one line there.
 */
import type { Language } from '../content/language.js';

/** The person whose data is exported or erased, with what their data may be recognised by. */
export interface DataSubject {
  tenantId: string;
  userId: string;
  /** Names the person went by in Meent (copied into other documents: registrations, activity). */
  names: string[];
  /** E-mail addresses Meent knew for them. */
  emails: string[];
  /** A keyed hash of the person (stable, not reversible without the key): what the audit log keeps. */
  pseudonym: string;
}

/** One JSON file of the export ZIP: an array of the records, with what the README says of it. */
export interface ExportFile {
  /** The file's name in the ZIP, e.g. `discussions.json`. */
  name: string;
  /** One or two sentences for README.html. */
  describe: Record<Language, string>;
  /** How many records `records` yields (for progress; an estimate is fine). */
  count(subject: DataSubject): Promise<number>;
  /** The records, read a page at a time (never the whole list in memory). */
  records(subject: DataSubject): AsyncIterable<unknown>;
}

export interface EraseOptions {
  /** Keep the text of what the person wrote (under "Former member"), or remove it. */
  keepText: boolean;
}

export interface PersonalDataContributor {
  /** Stable name: the erasure job records which contributors finished under it. */
  name: string;
  files: ExportFile[];
  /** Refuses the erasure (a typed error) before anything changes, e.g. the last manager of a community. */
  precheck?(subject: DataSubject): Promise<void>;
  /** Erases or pseudonymises the person's data; idempotent (a rerun after a crash finishes the job). */
  erase(subject: DataSubject, options: EraseOptions): Promise<void>;
}

/** Replaces the values in `text` that identify the subject (a name or address copied into free text or a path). */
export function scrubText(text: string, subject: DataSubject, replacement: string): string {
  let out = text;
  for (const value of [subject.userId, ...subject.emails, ...subject.names]) {
    if (value.length < 2) continue;
    out = out.split(value).join(replacement);
  }
  return out;
}

/** `scrubText` over the string values of a small plain object (audit details, notification data). */
export function scrubValues<T>(value: T, subject: DataSubject, replacement: string): T {
  if (typeof value === 'string') return scrubText(value, subject, replacement) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubValues(v, subject, replacement)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValues(v, subject, replacement)])) as T;
  }
  return value;
}

/** Whether a value mentions the subject (used to find documents to scrub). */
export function mentionsSubject(value: unknown, subject: DataSubject): boolean {
  const text = JSON.stringify(value ?? null);
  return [subject.userId, ...subject.emails, ...subject.names].some((v) => v.length >= 2 && text.includes(v));
}
