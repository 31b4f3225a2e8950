/**
 * A dialog that asks for a few details before an action (report a post, cancel an event): the
 * title, what the action will do, the problem when it failed, the fields, then the action and
 * "Back". Escape and a click outside close it as "Back" does. `trigger`, when given, is the
 * button that stands in the page where the dialog is and opens it.
 */
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { ReactElement, ReactNode } from 'react';
import type { ApiProblem } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { ErrorMessage } from './error-message.js';

export interface ActionDialogProps {
  open: boolean;
  onClose: () => void;
  trigger?: ReactElement;
  title: string;
  intro: string;
  /** Shown above the fields; leave out a problem that a field shows itself. */
  problem: ApiProblem | undefined;
  action: string;
  onAction: () => void;
  busy: boolean;
  actionTestId?: string;
  /** Called once the dialog has finished closing (after Fluent has put focus back). */
  onClosed?: () => void;
  children: ReactNode;
}

export function ActionDialog({ open, onClose, trigger, title, intro, problem, action, onAction, busy, actionTestId, onClosed, children }: ActionDialogProps) {
  const { t } = useI18n();
  const onOpenChange = (_: unknown, data: { open: boolean }) => (data.open ? undefined : onClose());
  const surfaceMotion = onClosed ? { onMotionFinish: (_: null, data: { direction: 'enter' | 'exit' }) => (data.direction === 'exit' ? onClosed() : undefined) } : undefined;
  const surface = (
    <DialogSurface>
      <DialogBody>
        <DialogTitle>{title}</DialogTitle>
        <DialogContent>
          <p>{intro}</p>
          {problem ? <ErrorMessage error={problem} /> : null}
          {children}
        </DialogContent>
        <DialogActions>
          {/* Focusable while busy: a disabled button would drop focus out of the open modal (to
              the page's body), and Fluent could then not put it back when the dialog closes. */}
          <Button appearance="primary" disabledFocusable={busy} onClick={onAction} data-testid={actionTestId}>
            {action}
          </Button>
          <Button onClick={onClose}>{t('common.back')}</Button>
        </DialogActions>
      </DialogBody>
    </DialogSurface>
  );
  // Fluent's Dialog takes the trigger as its first child, so it is there or left out, never empty.
  return trigger ? (
    <Dialog open={open} onOpenChange={onOpenChange} surfaceMotion={surfaceMotion}>
      {trigger}
      {surface}
    </Dialog>
  ) : (
    <Dialog open={open} onOpenChange={onOpenChange} surfaceMotion={surfaceMotion}>
      {surface}
    </Dialog>
  );
}
