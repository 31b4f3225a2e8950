/**
 * Fluent UI's Teams themes, following the host: Teams tells us its theme at start and every
 * time the user changes it (light, dark, high contrast); in a browser we follow the system's
 * colour-scheme and forced-colours settings.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/access-teams-context#handle-theme-change
 */
import { FluentProvider, makeStaticStyles, makeStyles, teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';
import { app } from '@microsoft/teams-js';
import { useEffect, useState, type ReactNode } from 'react';
import { browserTheme, toHostTheme, type HostTheme } from '../teams/host-connection.js';

export function themeFor(name: HostTheme): Theme {
  if (name === 'dark') return teamsDarkTheme;
  if (name === 'contrast') return teamsHighContrastTheme;
  return teamsLightTheme;
}

const useGlobalStyles = makeStaticStyles({
  'html, body': { margin: 0, padding: 0, minHeight: '100%' },
});

const useStyles = makeStyles({
  root: { minHeight: '100vh' },
});

export function ThemeRoot({ initial, inTeams, children }: { initial: HostTheme; inTeams: boolean; children: ReactNode }) {
  useGlobalStyles();
  const styles = useStyles();
  const [theme, setTheme] = useState<HostTheme>(initial);

  useEffect(() => {
    if (inTeams) {
      app.registerOnThemeChangeHandler((name) => setTheme(toHostTheme(name)));
      return undefined;
    }
    const queries = [window.matchMedia('(forced-colors: active)'), window.matchMedia('(prefers-color-scheme: dark)')];
    const update = () => setTheme(browserTheme(window));
    for (const q of queries) q.addEventListener('change', update);
    return () => {
      for (const q of queries) q.removeEventListener('change', update);
    };
  }, [inTeams]);

  useEffect(() => {
    // Native form controls and scrollbars follow the theme too.
    document.documentElement.style.colorScheme = theme === 'default' ? 'light' : 'dark';
  }, [theme]);

  return (
    <FluentProvider theme={themeFor(theme)} className={styles.root} data-theme={theme} applyStylesToPortals>
      {children}
    </FluentProvider>
  );
}
