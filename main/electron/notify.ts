/** Native notifications. Each is referenced until closed: a collected one loses its click handler. */
import { Notification, nativeImage } from 'electron';
import { iconPng } from '../icon';

export interface NoticeInput {
  readonly title: string;
  readonly body: string;
  readonly urgency?: 'normal' | 'critical';
}

const live = new Set<Notification>();
let icon: Electron.NativeImage | null = null;

/** Shows `n`; returns false where the desktop has no notification service. */
export function showNotice(n: NoticeInput, onClick: () => void): boolean {
  if (!Notification.isSupported()) return false;
  icon ??= nativeImage.createFromBuffer(iconPng(128, 'app'));
  const note = new Notification({
    title: n.title,
    body: n.body,
    icon,
    urgency: n.urgency ?? 'normal',
    timeoutType: n.urgency === 'critical' ? 'never' : 'default',
  });
  live.add(note);
  note.on('click', onClick);
  note.on('close', () => live.delete(note));
  note.on('failed', () => live.delete(note));
  note.show();
  return true;
}
