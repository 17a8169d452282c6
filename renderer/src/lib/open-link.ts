/**
 * Opens a URL in a new tab the way a plain `<a target="_blank" rel="noopener noreferrer">` does:
 * the new page gets no handle on this one and no referrer. In the desktop app such a link never
 * opens an Electron window: the shell's window-open handler (main/navigation-guard.ts,
 * decideWindowOpen) hands https URLs to the system browser and drops anything else. A browser may
 * block it as a pop-up when it is not a direct result of a click, so callers also show the link.
 */
export function openLink(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
  }
}
