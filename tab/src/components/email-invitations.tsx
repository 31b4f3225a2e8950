/**
 * Invitations by e-mail (issue 14), for a community's managers and an event's organisers
 * alike: paste one address or up to 200, send, and read per address what came of it (in
 * words, never a bare code); below, the invitations with whether they are pending, accepted
 * or failed, to withdraw or send again. While sending, the button stays focusable and a status
 * line says so; a refused send shows the problem and keeps the pasted text. Every outcome is
 * announced, so it works from the keyboard with a screen reader. The page says where the
 * invitations go by the client it hands in.
 */
import { Button, Field, Spinner, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import { INVITATION_OUTCOMES, type AddressOutcome, type Invitation, type InvitationOutcome } from '../api/invitations-api.js';
import { useRequest } from '../api/use-request.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { CardItem } from './card-list.js';
import { EmptyState } from './empty-state.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';
import { Section, useCardListStyles } from './section.js';

/** The calls for one target (a community, an event). */
export interface EmailInvitationsClient {
  /** Identifies the target, so the list is read again for another one. */
  key: string;
  invite(addresses: string, language: 'nl' | 'en'): Promise<AddressOutcome[]>;
  list(signal: AbortSignal): Promise<Invitation[]>;
  withdraw(invitationId: string): Promise<Invitation>;
  resend(invitationId: string, language: 'nl' | 'en'): Promise<{ invitation: Invitation; outcome: InvitationOutcome }>;
}

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '40rem', marginBottom: tokens.spacingVerticalXL },
  send: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  row: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  address: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
});

/** The outcome code in words; a code the tab does not know yet reads as "Microsoft could not be reached". */
export function outcomeKey(code: string | null | undefined): `invitations.outcome.${InvitationOutcome}` {
  const known = INVITATION_OUTCOMES.find((o) => o === code);
  return `invitations.outcome.${known ?? 'graph_failed'}`;
}

/** The form and, below it, the list (read again after each send). `headingLevel` 3 inside a page's section. */
export function EmailInvitations({ client, headingLevel = 2, hint }: { client: EmailInvitationsClient; headingLevel?: 2 | 3; hint?: string }) {
  // Bumped after sending, so the list is read again.
  const [version, setVersion] = useState(0);
  return (
    <>
      <InviteForm client={client} onSent={() => setVersion((v) => v + 1)} headingLevel={headingLevel} {...(hint ? { hint } : {})} />
      <InvitationList key={`${client.key}-${version}`} client={client} headingLevel={headingLevel} />
    </>
  );
}

function InviteForm({ client, onSent, headingLevel, hint }: { client: EmailInvitationsClient; onSent: () => void; headingLevel: 2 | 3; hint?: string }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t, language } = useI18n();
  const [addresses, setAddresses] = useState('');
  const [outcomes, setOutcomes] = useState<AddressOutcome[] | undefined>(undefined);
  const { busy, problem, run } = useActions();
  const results = useRef<HTMLHeadingElement>(null);
  const Heading = headingLevel === 3 ? 'h3' : 'h2';
  const headingId = `invitation-outcomes-${client.key}`;

  const send = () =>
    run(
      async () => {
        const answer = await client.invite(addresses, language === 'nl' ? 'nl' : 'en');
        setOutcomes(answer);
        // Sent: the text has done its work. On a problem `run` keeps it (and shows why).
        setAddresses('');
        onSent();
        announce(t('invitations.sent', { count: answer.length }));
        window.requestAnimationFrame(() => results.current?.focus());
      },
      { blocking: true },
    );

  return (
    <>
      <form
        className={styles.form}
        data-testid="invite-by-email"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void send();
        }}
      >
        {problem ? <ErrorMessage error={problem} /> : null}
        <Field label={t('invitations.addresses')} hint={hint ?? t('invitations.addressesHint')} required>
          <Textarea value={addresses} onChange={(_, d) => setAddresses(d.value)} rows={6} resize="vertical" data-testid="invite-addresses" />
        </Field>
        <div className={styles.send}>
          <Button type="submit" appearance="primary" disabledFocusable={busy || addresses.trim() === ''} data-testid="invite-send">
            {t('invitations.send')}
          </Button>
          {busy ? <Spinner size="tiny" label={t('invitations.sending')} data-testid="invite-progress" /> : null}
        </div>
      </form>
      {outcomes ? (
        <section aria-labelledby={headingId} data-testid="invite-outcomes">
          <Heading id={headingId} ref={results} tabIndex={-1}>
            {t('invitations.outcomes')}
          </Heading>
          <ul className={cards.list}>
            {outcomes.map((o, i) => (
              <CardItem key={`${o.address}-${i}`} testId={`outcome-${o.address}`}>
                <span className={styles.address}>{o.address}</span>
                <p className={cards.body}>{t(outcomeKey(o.outcome))}</p>
              </CardItem>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function InvitationList({ client, headingLevel }: { client: EmailInvitationsClient; headingLevel: 2 | 3 }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t, language } = useI18n();
  const list = useRequest((signal) => client.list(signal), [client.key]);
  const [changed, setChanged] = useState<Record<string, Invitation>>({});
  const { busy, problem, run } = useActions();

  const shown = (i: Invitation) => changed[i.id] ?? i;
  const named = (i: Invitation) => i.address ?? t('invitations.acceptedAddress');

  const withdraw = (i: Invitation) =>
    run(
      async () => {
        const updated = await client.withdraw(i.id);
        setChanged((c) => ({ ...c, [i.id]: updated }));
        announce(t('invitations.withdrawn', { address: named(i) }));
      },
      { blocking: true },
    );

  const resend = (i: Invitation) =>
    run(
      async () => {
        const { invitation, outcome } = await client.resend(i.id, language === 'nl' ? 'nl' : 'en');
        setChanged((c) => ({ ...c, [i.id]: invitation }));
        announce(t('invitations.resent', { address: named(i), outcome: t(outcomeKey(outcome)) }));
      },
      { blocking: true },
    );

  return (
    <Section title={t('invitations.list')} testId="invitations" level={headingLevel}>
      {problem ? <ErrorMessage error={problem} /> : null}
      {list.status === 'loading' ? (
        <ListSkeleton lines={3} label={t('invitations.list')} />
      ) : list.status === 'error' ? (
        <ErrorMessage error={list.error} onRetry={list.reload} />
      ) : list.data.length === 0 ? (
        <EmptyState title={t('invitations.empty')} body={t('invitations.emptyBody')} />
      ) : (
        <ul className={cards.list} data-testid="invitations-list">
          {list.data.map((original) => {
            const i = shown(original);
            const address = named(i);
            const meta = [t(`invitations.state.${i.state}`), i.kind ? t(`invitations.kind.${i.kind}`) : null, i.sends > 1 ? t('invitations.sends', { count: i.sends }) : null].filter(Boolean).join(' · ');
            return (
              <CardItem key={i.id} testId={`invitation-${i.id}`}>
                <div className={styles.row}>
                  <span>
                    <span className={styles.address}>{address}</span>
                    <span className={cards.meta}>{meta}</span>
                  </span>
                  <span className={styles.buttons}>
                    {i.state === 'pending' ? (
                      <Button size="small" disabledFocusable={busy} onClick={() => void withdraw(i)} aria-label={t('invitations.withdrawName', { address })} data-testid={`withdraw-${i.id}`}>
                        {t('invitations.withdraw')}
                      </Button>
                    ) : null}
                    {i.state === 'pending' || i.state === 'failed' ? (
                      <Button size="small" disabledFocusable={busy} onClick={() => void resend(i)} aria-label={t('invitations.resendName', { address })} data-testid={`resend-${i.id}`}>
                        {t('invitations.resend')}
                      </Button>
                    ) : null}
                  </span>
                </div>
                {i.state === 'failed' && i.reason ? <p className={cards.body}>{t(outcomeKey(i.reason))}</p> : null}
              </CardItem>
            );
          })}
        </ul>
      )}
    </Section>
  );
}
