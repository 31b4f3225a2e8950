/**
 * Catches a page that fails to render, so one broken page never blanks the whole tab: the
 * shell and navigation stay, the page says what happened and offers the way home. Reset on
 * every navigation (the caller keys it by route).
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { EmptyPage } from './empty-page.js';

interface Props {
  title: string;
  body: string;
  action: ReactNode;
  children: ReactNode;
}

export class PageErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Visible to support in the browser's console; never shown to the user.
    console.error('page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.failed) return <EmptyPage title={this.props.title} emptyTitle={this.props.title} emptyBody={this.props.body} action={this.props.action} />;
    return this.props.children;
  }
}
