/**
 * Dark and light themes. Until the user picks one, the system's preference decides (and is
 * followed as it changes); a pick is remembered in local storage. The theme is set as
 * data-theme on <html>, which selects the CSS variables; the chart reads them from there.
 */
import { create } from 'zustand';

export type Theme = 'dark' | 'light';
const KEY = 'tradeclock.theme';

const query = () => window.matchMedia('(prefers-color-scheme: light)');
const systemTheme = (): Theme => (query().matches ? 'light' : 'dark');

function savedTheme(): Theme | null {
  const v = localStorage.getItem(KEY);
  return v === 'dark' || v === 'light' ? v : null;
}

interface ThemeStore {
  readonly theme: Theme;
  toggle(): void;
}

export const useTheme = create<ThemeStore>()((set, get) => ({
  theme: savedTheme() ?? systemTheme(),
  toggle() {
    const next: Theme = get().theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    document.documentElement.dataset.theme = next;
    set({ theme: next });
  },
}));

/** Call once before the first render so the page never flashes the other theme. */
export function installTheme(): void {
  document.documentElement.dataset.theme = useTheme.getState().theme;
  query().addEventListener('change', () => {
    if (savedTheme()) return;
    const theme = systemTheme();
    document.documentElement.dataset.theme = theme;
    useTheme.setState({ theme });
  });
}
