/**
 * One polite live region for the whole tab. `announce('3 seats left')` makes screen readers
 * read a message without moving focus (WCAG 4.1.3 Status Messages).
 */
import { useEffect, useState } from 'react';
import { useVisuallyHiddenStyles } from './visually-hidden.js';

type Listener = (message: string) => void;
let listener: Listener | undefined;
let pending: string | undefined;

/** Reads `message` to screen-reader users politely (after what they are hearing now). */
export function announce(message: string): void {
  if (listener) listener(message);
  else pending = message;
}

export function LiveRegion() {
  const styles = useVisuallyHiddenStyles();
  const [message, setMessage] = useState('');

  useEffect(() => {
    let timer: number | undefined;
    listener = (next) => {
      // Clear first, so that the same message twice is still read twice.
      setMessage('');
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setMessage(next), 50);
    };
    if (pending !== undefined) {
      listener(pending);
      pending = undefined;
    }
    return () => {
      listener = undefined;
      window.clearTimeout(timer);
    };
  }, []);

  return (
    <div role="status" aria-live="polite" aria-atomic="true" className={styles.root} data-testid="live-region">
      {message}
    </div>
  );
}
