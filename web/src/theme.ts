// The embedding page sets the look: `?accent=%23RRGGBB` and `?theme=light|dark`; otherwise the reader's
// prefers-color-scheme decides. Both are kept for the tab, so in-page navigation does not lose them.
const STORAGE_KEY = 'hookd.theme';

export function applyTheme(): void {
  const query = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as { accent?: string; theme?: string };
  const accent = query.get('accent') ?? saved.accent;
  const theme = query.get('theme') ?? saved.theme;
  const root = document.documentElement;
  const valid = { accent: accent && /^#[0-9a-f]{6}$/i.test(accent) ? accent : undefined, theme: theme === 'light' || theme === 'dark' ? theme : undefined };
  if (valid.accent) root.style.setProperty('--accent', valid.accent);
  if (valid.theme) root.dataset['theme'] = valid.theme;
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(valid));
}
