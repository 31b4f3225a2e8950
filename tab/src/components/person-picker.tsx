/**
 * Finds people of the organisation by name and offers one action per person (invite, add as
 * co-organiser). The search waits for a pause in typing; each result's button names the
 * person, and a person already picked shows `doneLabel` instead, so the list stays where it is
 * for the next pick from the keyboard. For invitations it also searches the organisation's
 * directory (`source=directory`), so someone who never used Meent can be found.
 */
import { Button, SearchBox, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { listPeople, type Person } from '../api/people-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { CardItem, PagedCardList } from './card-list.js';
import { ErrorMessage } from './error-message.js';
import { hasItems, ListPlaceholder } from './list-placeholder.js';
import { Section, useCardListStyles } from './section.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  search: { minWidth: '280px', maxWidth: '420px' },
  row: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

/** `text` trimmed, once it has not changed for 300 ms (one request per typed name). */
export function useSettled(text: string): string {
  const [settled, setSettled] = useState(text.trim());
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(text.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [text]);
  return settled;
}

export interface PersonPickerProps {
  /** The search box's accessible name and placeholder. */
  label: string;
  /** The button text, and its accessible name for a person. */
  action: string;
  actionName: (name: string) => string;
  doneLabel: string;
  /** People already picked (shown as done). */
  done: ReadonlySet<string>;
  busy: boolean;
  onPick: (person: Person) => void;
  testId: string;
  /** Also search the organisation's directory, so people who never used Meent can be found (invitations). */
  directory?: boolean;
}

export function PersonPicker({ label, action, actionName, doneLabel, done, busy, onPick, testId, directory = false }: PersonPickerProps) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const [text, setText] = useState('');
  const q = useSettled(text);
  const people = usePagedList(
    (cursor, signal) => (q ? listPeople(api, { q, limit: 10, signal, ...(directory ? { source: 'directory' as const } : { cursor }) }) : Promise.resolve({ items: [] as Person[] })),
    [api, q, directory],
  );
  return (
    <div className={styles.root}>
      <SearchBox className={styles.search} value={text} onChange={(_, d) => setText(d.value)} aria-label={label} placeholder={label} data-testid={`${testId}-search`} />
      {q && hasItems(people) ? (
        <PagedCardList list={people} testId={`${testId}-results`}>
          {(p) => (
            <CardItem key={p.id}>
              <div className={styles.row}>
                <span>
                  {p.name}
                  <span className={cards.meta}>{[p.jobTitle, p.profile.organisation, p.isGuest ? t('shell.guest') : null].filter(Boolean).join(' · ')}</span>
                </span>
                {done.has(p.id) ? (
                  <span className={cards.meta}>{doneLabel}</span>
                ) : (
                  <Button size="small" appearance="primary" disabledFocusable={busy} onClick={() => onPick(p)} aria-label={actionName(p.name)} data-testid={`${testId}-${p.id}`}>
                    {action}
                  </Button>
                )}
              </div>
            </CardItem>
          )}
        </PagedCardList>
      ) : q ? (
        <ListPlaceholder list={people} lines={2} empty={<p>{t('members.invite.none')}</p>} />
      ) : null}
    </div>
  );
}

/**
 * A titled section that invites people found with the picker: `invite` does it and answers
 * what to announce; a refusal is shown in the section and the person stays pickable.
 */
export function InvitePeopleSection({ title, intro, testId, pickerTestId, labels, invite }: { title: string; intro: string; testId: string; pickerTestId: string; labels: Pick<PersonPickerProps, 'label' | 'action' | 'actionName' | 'doneLabel'>; invite: (person: Person) => Promise<string> }) {
  const cards = useCardListStyles();
  const { busy, problem, run } = useActions();
  const [done, setDone] = useState<ReadonlySet<string>>(new Set());
  const pick = (person: Person) =>
    run(
      async () => {
        const message = await invite(person);
        setDone((all) => new Set([...all, person.id]));
        announce(message);
      },
      { blocking: true },
    );
  return (
    <Section title={title} testId={testId}>
      <p className={cards.meta}>{intro}</p>
      {problem ? <ErrorMessage error={problem} /> : null}
      <PersonPicker {...labels} done={done} busy={busy} onPick={(p) => void pick(p)} testId={pickerTestId} directory />
    </Section>
  );
}
