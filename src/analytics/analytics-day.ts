/**
 * Analytics days: a day is a calendar day in Amsterdam (the product is Dutch; a board reads
 * "Monday" as its own Monday), written `YYYY-MM-DD` so that days sort and compare as strings.
 */
import { DEFAULT_TIME_ZONE, utcOffsetMinutes, wallClock } from '../time/time-zone.js';

export const DAY_MS = 86_400_000;

/** The Amsterdam calendar day of an instant. */
export function dayOf(at: Date): string {
  const w = wallClock(at.getTime(), DEFAULT_TIME_ZONE);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** The day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + n * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The Monday of the ISO week of `day`. */
export function weekOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** The first day of the month of `day`. */
export function monthOf(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** Midnight in Amsterdam at the start of `day`. */
export function startOfDay(day: string): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  return new Date(utcMidnight - utcOffsetMinutes(utcMidnight, DEFAULT_TIME_ZONE) * 60_000);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
