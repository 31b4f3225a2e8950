/**
 * The organisation's switch for installing Meent for people it must reach (issue 14,
 * GET/PUT /admin/notifications/reach), on the admin settings page: on, Meent installs the app
 * in the personal scope of someone who must get a message and never installed it. It saves
 * when flipped, says whether installing is possible in this deployment at all, and what
 * happens to people for whom installing is refused (e-mail, or nothing without a mailbox).
 */
import { Switch } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { getNotificationReach, setNotificationReach, type NotificationReach } from '../api/invitations-api.js';
import { useRequest } from '../api/use-request.js';
import { ErrorMessage } from '../components/error-message.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { Section } from '../components/section.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';

export function ReachSettings() {
  const { t } = useI18n();
  const api = useApi();
  const reach = useRequest((signal) => getNotificationReach(api, signal), [api]);
  return (
    <Section title={t('reach.title')} testId="reach-settings">
      {reach.status === 'loading' ? <ListSkeleton lines={1} label={t('reach.title')} /> : reach.status === 'error' ? <ErrorMessage error={reach.error} onRetry={reach.reload} /> : <ReachSwitch initial={reach.data} />}
    </Section>
  );
}

function ReachSwitch({ initial }: { initial: NotificationReach }) {
  const { t } = useI18n();
  const api = useApi();
  const [reach, setReach] = useState(initial);
  const { busy, problem, run } = useActions();
  const flip = (autoInstall: boolean) =>
    run(
      async () => {
        setReach(await setNotificationReach(api, autoInstall));
        announce(t('reach.saved'));
      },
      { blocking: true },
    );
  return (
    <>
      {problem ? <ErrorMessage error={problem} /> : null}
      <Switch
        checked={reach.autoInstall}
        disabled={busy}
        onChange={(_, d) => void flip(d.checked)}
        label={t('reach.autoInstall')}
        aria-describedby="reach-hint"
        data-testid="reach-auto-install"
      />
      <p id="reach-hint">
        {t('reach.autoInstallHint')} {reach.available ? null : t('reach.unavailable')} {reach.mailbox ? t('reach.mailbox') : t('reach.noMailbox')}
      </p>
    </>
  );
}
