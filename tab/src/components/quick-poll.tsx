/**
 * A quick poll in two clicks: "Quick poll" opens one dialog with the question and its options
 * (two to start with, up to twenty), "Start the poll" opens it at once; a message with the way
 * to it stays on the page.
 * Used on the community page, a discussion and the meeting page, each passing its `origin`,
 * so the API can post the outcome back where the poll came from.
 */
import { Button, Checkbox, Field, Input, Link, MessageBar, MessageBarActions, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { createQuickPoll, type Consultation, type ConsultationOrigin } from '../api/consultations-api.js';
import { useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { hrefFor } from '../router/hash-router.js';
import { ActionDialog } from './action-dialog.js';

const MAX_OPTIONS = 20;

const useStyles = makeStyles({
  options: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginTop: tokens.spacingVerticalM },
  option: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  grow: { flexGrow: 1 },
});

/** Path of a field error with `[i]` and a leading `body.` taken out: `options.1`. */
function normalisedPath(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1').replace(/^body\./, '');
}

export function QuickPollButton({ communityId, origin, size }: { communityId: string; origin?: ConsultationOrigin; size?: 'small' | 'medium' }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState<string[]>(['', '']);
  const [anonymous, setAnonymous] = useState(true);

  const save = useSubmit(() => createQuickPoll(api, communityId, { question: question.trim(), options: options.map((o) => o.trim()).filter(Boolean), anonymous, ...(origin ? { origin } : {}) }, i18n.timeZone));
  const errorAt = (prefix: string) => save.problem?.errors.find((e) => normalisedPath(e.path).startsWith(prefix))?.message;
  const questionError = errorAt('title') ?? errorAt('questions.0.text');
  const optionsError = errorAt('questions.0.options');

  const [created, setCreated] = useState<Consultation | undefined>(undefined);
  const openLink = useRef<HTMLAnchorElement>(null);
  const launch = async () => {
    const poll = await save.submit();
    if (!poll) return;
    setCreated(poll);
    setOpen(false);
    setQuestion('');
    setOptions(['', '']);
    announce(t('quickPoll.launched', { question: poll.title }));
  };

  const setOption = (i: number, value: string) => setOptions((all) => all.map((o, j) => (j === i ? value : o)));
  const placed = questionError || optionsError;
  const dialog = (
    <ActionDialog
      open={open}
      onClose={() => setOpen(false)}
      trigger={
        <Button size={size} onClick={() => setOpen(true)} data-testid="quick-poll">
          {t('quickPoll.action')}
        </Button>
      }
      title={t('quickPoll.title')}
      intro={t('quickPoll.intro')}
      problem={placed ? undefined : save.problem}
      action={t('quickPoll.launch')}
      onAction={() => void launch()}
      busy={save.submitting}
      actionTestId="quick-poll-launch"
      onClosed={() => {
        // Focus goes to the way to the new poll, not back to "Quick poll".
        if (created) openLink.current?.focus();
      }}
    >
      <Field label={t('quickPoll.question')} required validationMessage={questionError} validationState={questionError ? 'error' : 'none'}>
        <Input value={question} maxLength={500} onChange={(_, d) => setQuestion(d.value)} data-testid="quick-poll-question" />
      </Field>
      <div className={styles.options} role="group" aria-label={t('quickPoll.options')}>
        {options.map((value, i) => (
          <div key={i} className={styles.option}>
            <Field className={styles.grow} label={t('quickPoll.option', { number: i + 1 })} required={i < 2} validationMessage={i === 0 ? optionsError : undefined} validationState={i === 0 && optionsError ? 'error' : 'none'}>
              <Input value={value} maxLength={200} onChange={(_, d) => setOption(i, d.value)} data-testid={`quick-poll-option-${i}`} />
            </Field>
            {options.length > 2 ? (
              <Button appearance="subtle" onClick={() => setOptions((all) => all.filter((_, j) => j !== i))} aria-label={t('quickPoll.removeOption', { number: i + 1 })}>
                {t('quickPoll.remove')}
              </Button>
            ) : null}
          </div>
        ))}
        {options.length < MAX_OPTIONS ? (
          <div>
            <Button onClick={() => setOptions((all) => [...all, ''])} data-testid="quick-poll-add-option">
              {t('quickPoll.addOption')}
            </Button>
          </div>
        ) : null}
        <Checkbox label={t('quickPoll.anonymous')} checked={anonymous} onChange={(_, d) => setAnonymous(d.checked === true)} />
      </div>
    </ActionDialog>
  );
  // The poll is open; whoever started it stays where they are (a meeting, a discussion) and
  // may go to it. (Leaving the page while the dialog closes left the page aria-hidden: the
  // modal takes that off only when it closes in place.)
  return (
    <>
      {dialog}
      {created ? (
        <MessageBar intent="success" layout="multiline" data-testid="quick-poll-created">
          <MessageBarBody>{t('quickPoll.launched', { question: created.title })}</MessageBarBody>
          <MessageBarActions>
            <Link ref={openLink} href={hrefFor(`/consultations/${created.id}`)} data-testid="quick-poll-open">
              {t('quickPoll.open')}
            </Link>
          </MessageBarActions>
        </MessageBar>
      ) : null}
    </>
  );
}
