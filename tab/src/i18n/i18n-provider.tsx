/** Makes the user's translator available to every component (`useI18n`). */
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { createTranslator, type Translator } from './translator.js';

const I18nContext = createContext<Translator | undefined>(undefined);

export function I18nProvider({ locale, children }: { locale: string | undefined; children: ReactNode }) {
  const translator = useMemo(() => createTranslator(locale), [locale]);
  useEffect(() => {
    // Screen readers pick their voice from the document language.
    document.documentElement.lang = translator.locale;
  }, [translator]);
  return <I18nContext.Provider value={translator}>{children}</I18nContext.Provider>;
}

export function useI18n(): Translator {
  const translator = useContext(I18nContext);
  if (!translator) throw new Error('useI18n must be used inside <I18nProvider>');
  return translator;
}
