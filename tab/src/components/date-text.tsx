/** A date and time in the reader's language and time zone, machine-readable in `dateTime`. */
import { useI18n } from '../i18n/i18n-provider.js';

export type DateStyle = 'dateTime' | 'date' | 'time' | 'short';

export function DateText({ value, style = 'dateTime' }: { value: string; style?: DateStyle }) {
  const i18n = useI18n();
  if (!value) return null;
  const text =
    style === 'date'
      ? i18n.formatDate(value)
      : style === 'time'
        ? i18n.formatTime(value)
        : style === 'short'
          ? i18n.formatDateTime(value, { dateStyle: 'medium', timeStyle: 'short' })
          : i18n.formatDateTime(value);
  return <time dateTime={value}>{text}</time>;
}
