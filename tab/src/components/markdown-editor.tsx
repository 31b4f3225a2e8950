/**
 * The composer: a Markdown text area with a Write / Preview switch and an @mention picker.
 * Typing `@` and a few letters lists matching people under the text area; Up and Down move
 * through them (announced through `aria-activedescendant`), Enter or Tab inserts the name,
 * Escape closes the list. Ctrl+Enter submits. The text is never cleared by this component:
 * the caller decides when a post succeeded.
 */
import { Field, Persona, Spinner, Tab, TabList, Textarea, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useApi } from '../api/api-provider.js';
import { listPeople, type Person } from '../api/people-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import type { FieldProps } from '../forms/use-submit.js';
import { mentionQueryAt, mentionsIn, type Mention } from '../content/mentions.js';
import { RichText } from './rich-text.js';


const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, position: 'relative' },
  textarea: { width: '100%' },
  preview: {
    minHeight: '96px',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: tokens.spacingVerticalXS,
    maxHeight: '240px',
    overflowY: 'auto',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow8,
  },
  option: { padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`, borderRadius: tokens.borderRadiusSmall, cursor: 'pointer' },
  active: { backgroundColor: tokens.colorNeutralBackground1Selected, outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  hint: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

export interface MarkdownEditorProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  picked: readonly Mention[];
  onPick: (mention: Mention) => void;
  onSubmitShortcut?: () => void;
  field?: FieldProps;
  required?: boolean;
  disabled?: boolean;
  testId?: string;
  maxLength?: number;
  textareaRef?: React.Ref<HTMLTextAreaElement>;
}

/**
 * The text of an editor that takes @mentions, and the people picked in it: spread `editor` onto
 * the MarkdownEditor; `mentions()` is what to send along (only the people still named in the
 * text, or nothing); `clear()` empties both once the text is posted.
 */
export function useMentionText(initial: string | (() => string)) {
  const [text, setText] = useState(initial);
  const [picked, setPicked] = useState<Mention[]>([]);
  return {
    text,
    editor: { value: text, onChange: setText, picked, onPick: (m: Mention) => setPicked((all) => [...all, m]) },
    mentions: (): { mentions?: string[] } => {
      const ids = mentionsIn(text, picked).map((m) => m.id);
      return ids.length > 0 ? { mentions: ids } : {};
    },
    clear: () => {
      setText('');
      setPicked([]);
    },
  };
}

export function MarkdownEditor({ label, value, onChange, picked: _picked, onPick, onSubmitShortcut, field, required, disabled, testId, maxLength = 20_000, textareaRef }: MarkdownEditorProps) {
  const styles = useStyles();
  const { t, tp } = useI18n();
  const api = useApi();
  const id = useId();
  const listId = `${id}-mentions`;
  const [mode, setMode] = useState<'write' | 'preview'>('write');
  const [previewHtml, setPreviewHtml] = useState<string | undefined>(undefined);
  const [query, setQuery] = useState<{ start: number; query: string } | undefined>(undefined);
  const [people, setPeople] = useState<Person[]>([]);
  const [searching, setSearching] = useState(false);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement | null>(null);

  // Debounced people search for the mention being typed.
  useEffect(() => {
    if (!query) {
      setPeople([]);
      return undefined;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      setSearching(true);
      listPeople(api, { q: query.query, limit: 8, signal: controller.signal }).then(
        (page) => {
          if (controller.signal.aborted) return;
          setPeople(page.items);
          setActive(0);
          setSearching(false);
          announce(page.items.length === 0 ? t('composer.mentions.none') : tp('composer.mentions.found', page.items.length));
        },
        () => {
          if (!controller.signal.aborted) {
            setPeople([]);
            setSearching(false);
          }
        },
      );
    }, 150);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [api, query?.query, t]);

  useEffect(() => {
    if (mode !== 'preview') return undefined;
    let cancelled = false;
    void import('../content/markdown-preview.js').then(({ previewMarkdown }) => {
      if (!cancelled) setPreviewHtml(previewMarkdown(value));
    });
    return () => {
      cancelled = true;
    };
  }, [mode, value]);

  const open = query !== undefined && people.length > 0;

  const updateQuery = (text: string, caret: number) => setQuery(mentionQueryAt(text, caret));

  const insert = (person: Person) => {
    if (!query) return;
    const before = value.slice(0, query.start);
    const after = value.slice(query.start + 1 + query.query.length);
    const mention = `@${person.name} `;
    const next = `${before}${mention}${after.replace(/^ /, '')}`;
    onChange(next);
    onPick({ id: person.id, name: person.name });
    setQuery(undefined);
    setPeople([]);
    announce(t('composer.mentions.inserted', { name: person.name }));
    const caret = before.length + mention.length;
    window.requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(caret, caret);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && onSubmitShortcut) {
      event.preventDefault();
      onSubmitShortcut();
      return;
    }
    if (!open) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : people.length - 1)) % people.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      const person = people[active];
      if (person) {
        event.preventDefault();
        insert(person);
      }
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setQuery(undefined);
      setPeople([]);
    }
  };

  const setRefs = (element: HTMLTextAreaElement | null) => {
    area.current = element;
    if (typeof textareaRef === 'function') textareaRef(element);
    else if (textareaRef && typeof textareaRef === 'object') (textareaRef as React.MutableRefObject<HTMLTextAreaElement | null>).current = element;
  };

  return (
    <div className={styles.root}>
      <TabList size="small" selectedValue={mode} onTabSelect={(_, data) => setMode(data.value === 'preview' ? 'preview' : 'write')} aria-label={t('composer.modes', { label })}>
        <Tab value="write">{t('composer.write')}</Tab>
        <Tab value="preview" data-testid={testId ? `${testId}-preview-tab` : undefined}>
          {t('composer.preview')}
        </Tab>
      </TabList>
      {mode === 'write' ? (
        <Field label={label} required={required} validationMessage={field?.validationMessage} validationState={field?.validationState ?? 'none'} hint={t('composer.hint')}>
          <Textarea
            ref={setRefs}
            className={styles.textarea}
            value={value}
            disabled={disabled}
            maxLength={maxLength}
            resize="vertical"
            rows={5}
            data-testid={testId}
            aria-autocomplete="list"
            aria-controls={open ? listId : undefined}
            aria-activedescendant={open ? `${listId}-${active}` : undefined}
            onChange={(event, data) => {
              onChange(data.value);
              updateQuery(data.value, event.target.selectionStart ?? data.value.length);
            }}
            onKeyDown={onKeyDown}
            onClick={(event) => updateQuery(value, event.currentTarget.selectionStart ?? value.length)}
            onBlur={() => window.setTimeout(() => setQuery(undefined), 150)}
          />
        </Field>
      ) : (
        <div className={styles.preview} aria-label={t('composer.previewOf', { label })} role="region" data-testid={testId ? `${testId}-preview` : undefined}>
          {value.trim() === '' ? <p className={styles.hint}>{t('composer.previewEmpty')}</p> : previewHtml === undefined ? <Spinner size="tiny" /> : <RichText html={previewHtml} />}
        </div>
      )}
      {open ? (
        <ul id={listId} role="listbox" aria-label={t('composer.mentions.label')} className={styles.list} data-testid="mention-list">
          {people.map((person, i) => (
            <li
              key={person.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={mergeClasses(styles.option, i === active && styles.active)}
              onMouseDown={(event) => {
                // Keep focus in the text area.
                event.preventDefault();
                insert(person);
              }}
            >
              <Persona size="small" name={person.name} secondaryText={person.profile.organisation ?? person.jobTitle ?? undefined} />
            </li>
          ))}
        </ul>
      ) : searching && query ? (
        <Spinner size="tiny" label={t('composer.mentions.searching')} />
      ) : null}
    </div>
  );
}
