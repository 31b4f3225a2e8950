/**
 * Planning an event (`#/events/new`, `?communityId=` for a community's) and editing one
 * (`#/event/<id>/edit`). Times are entered in the organiser's own time zone, which is sent
 * along. The API's field messages appear under their fields; nothing typed is lost when a
 * save fails, and focus goes to the first field to fix.
 */
import { Button, Checkbox, Field, Input, Link, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { readAttachments } from '../api/attachments-api.js';
import { createEvent, getEvent, updateEvent, type EventInput, type MeentEvent, type SignupMethod } from '../api/events-api.js';
import { AttachFiles, useChosenFiles } from '../components/attach-files.js';
import { MarkdownEditor } from '../components/markdown-editor.js';
import { ApiForm } from '../forms/api-form.js';
import { EditOrCreate } from '../forms/edit-or-create.js';
import { isoToLocalInput, localInputToIso, useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '640px' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

interface Draft {
  title: string;
  description: string;
  start: string;
  end: string;
  location: string;
  online: boolean;
  capacity: string;
  waitlist: boolean;
  signupMethod: SignupMethod;
  guestsAllowed: boolean;
  hideAttendees: boolean;
}

const FIELDS = ['title', 'description', 'start', 'end', 'location', 'name', 'online', 'capacity', 'waitlist', 'signupMethod', 'guestsAllowed', 'hideAttendees', 'attachments'] as const;

function draftFrom(event: MeentEvent | undefined): Draft {
  return {
    title: event?.title ?? '',
    description: event?.description.source ?? '',
    start: isoToLocalInput(event?.start),
    end: isoToLocalInput(event?.end),
    location: event?.location?.name ?? '',
    online: event?.online ?? false,
    capacity: event?.capacity === null || event?.capacity === undefined ? '' : String(event.capacity),
    waitlist: event?.waitlist ?? true,
    signupMethod: (event?.signupMethod as SignupMethod | undefined) ?? 'open',
    guestsAllowed: event?.guestsAllowed ?? false,
    hideAttendees: event?.hideAttendees ?? false,
  };
}

export function EventFormPage({ route }: { route: Route }) {
  return <EditOrCreate route={route} editRoute="eventEdit" load={getEvent} failedTitle="eventForm.editTitle" form={(existing) => <EventForm existing={existing} communityId={route.query.get('communityId') ?? undefined} />} />;
}

function EventForm({ existing, communityId }: { existing: MeentEvent | undefined; communityId: string | undefined }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(existing));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const files = useChosenFiles(readAttachments(existing?.attachments));
  // Uploads go into a community's library: the community the event belongs to, or is planned in.
  const community = existing ? (existing.communityId ?? undefined) : communityId;

  const save = useSubmit(async () => {
    const seats = draft.capacity.trim();
    const input: EventInput = {
      title: draft.title,
      description: draft.description,
      // An empty or unreadable time is sent as it is, so the API names the field.
      start: localInputToIso(draft.start) ?? draft.start,
      end: localInputToIso(draft.end) ?? draft.end,
      timeZone: i18n.timeZone,
      location: draft.location.trim() ? { name: draft.location.trim() } : null,
      online: draft.online,
      // Empty is unlimited; anything that is not a number goes as typed, for the API to name.
      capacity: seats === '' ? null : Number.isFinite(Number(seats)) ? Number(seats) : (seats as unknown as number),
      waitlist: draft.waitlist,
      signupMethod: draft.signupMethod,
      guestsAllowed: draft.guestsAllowed,
      hideAttendees: draft.hideAttendees,
      // An edit sends the files only when they changed: one that vanished meanwhile would otherwise refuse the edit.
      ...((existing ? files.changed() : files.files.length > 0) ? { attachments: files.refs() } : {}),
    };
    return existing ? updateEvent(api, existing.id, input) : createEvent(api, { ...input, ...(communityId ? { communityId } : {}) });
  });

  const submit = async () => {
    if (files.uploading) {
      announce(t('attach.waitForUploads'));
      return;
    }
    const saved = await save.submit();
    if (saved) {
      announce(existing ? t('eventForm.saved') : t('eventForm.created'));
      navigate(`/event/${saved.id}`);
    }
  };

  const locationField = save.problem?.fieldError('location.name') ?? save.problem?.fieldError('location');
  return (
    <>
      <PageHeader title={existing ? t('eventForm.editTitle') : t('eventForm.newTitle')} intro={t('eventForm.intro', { zone: i18n.timeZone })} />
      <ApiForm save={save} fields={FIELDS} testId="event-form" className={styles.form} onSubmit={() => void submit()}>
        <Field label={t('eventForm.title')} required {...save.fieldProps('title')}>
          <Input value={draft.title} maxLength={200} onChange={(_, d) => set('title', d.value)} data-testid="event-title" />
        </Field>
        <MarkdownEditor label={t('eventForm.description')} value={draft.description} onChange={(v) => set('description', v)} picked={[]} onPick={() => undefined} field={save.fieldProps('description')} testId="event-description-input" />
        <div className={styles.row}>
          <Field label={t('eventForm.start')} required {...save.fieldProps('start')}>
            <Input type="datetime-local" value={draft.start} onChange={(_, d) => set('start', d.value)} data-testid="event-start" />
          </Field>
          <Field label={t('eventForm.end')} required {...save.fieldProps('end')}>
            <Input type="datetime-local" value={draft.end} onChange={(_, d) => set('end', d.value)} data-testid="event-end" />
          </Field>
        </div>
        <Field label={t('eventForm.location')} hint={t('eventForm.locationHint')} validationMessage={locationField} validationState={locationField ? 'error' : 'none'}>
          <Input value={draft.location} maxLength={200} onChange={(_, d) => set('location', d.value)} data-testid="event-location" />
        </Field>
        <Checkbox label={t('eventForm.online')} checked={draft.online} onChange={(_, d) => set('online', d.checked === true)} />
        <div className={styles.row}>
          <Field label={t('eventForm.capacity')} hint={t('eventForm.capacityHint')} {...save.fieldProps('capacity')}>
            <Input type="number" min={0} value={draft.capacity} onChange={(_, d) => set('capacity', d.value)} data-testid="event-capacity" />
          </Field>
          <Field label={t('eventForm.signupMethod')} {...save.fieldProps('signupMethod')}>
            <Select value={draft.signupMethod} onChange={(_, d) => set('signupMethod', d.value as SignupMethod)}>
              <option value="open">{t('eventForm.signupMethod.open')}</option>
              <option value="request">{t('eventForm.signupMethod.request')}</option>
              <option value="invite">{t('eventForm.signupMethod.invite')}</option>
            </Select>
          </Field>
        </div>
        <Checkbox label={t('eventForm.waitlist')} checked={draft.waitlist} onChange={(_, d) => set('waitlist', d.checked === true)} />
        <Checkbox label={t('eventForm.guestsAllowed')} checked={draft.guestsAllowed} onChange={(_, d) => set('guestsAllowed', d.checked === true)} />
        <Checkbox label={t('eventForm.hideAttendees')} checked={draft.hideAttendees} onChange={(_, d) => set('hideAttendees', d.checked === true)} />
        <AttachFiles communityId={community} chosen={files} testId="event-attach-files" error={save.problem?.fieldError('attachments')} />
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="event-save">
            {existing ? t('form.save') : t('eventForm.create')}
          </Button>
          <Link href={hrefFor(existing ? `/event/${existing.id}` : communityId ? `/community/${communityId}?tab=events` : '/events')}>{t('form.cancel')}</Link>
        </div>
      </ApiForm>
    </>
  );
}
