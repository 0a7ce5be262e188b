import { useSyncExternalStore } from 'react';

const MUTED_KEY = 'branchline.chat.muted';
const NOTIFY_KEY = 'branchline.chat.desktopNotifications';

export interface AlertSettings {
  isMuted: boolean;
  /** The person asked for desktop notifications (the browser must also allow them). */
  wantsNotifications: boolean;
}

function read(): AlertSettings {
  try {
    return {
      isMuted: localStorage.getItem(MUTED_KEY) === 'true',
      wantsNotifications: localStorage.getItem(NOTIFY_KEY) === 'true',
    };
  } catch {
    return { isMuted: false, wantsNotifications: false };
  }
}

let snapshot: AlertSettings | null = null;
const listeners = new Set<() => void>();

function getSnapshot(): AlertSettings {
  snapshot ??= read();
  return snapshot;
}

function changed(): void {
  snapshot = read();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab changed a setting.
  window.addEventListener('storage', changed);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('storage', changed);
  };
}

function write(key: string, value: boolean): void {
  try {
    localStorage.setItem(key, String(value));
  } catch {
    // Private mode without storage: the setting lasts for this page only.
  }
  changed();
}

export const alertSettings = {
  get: getSnapshot,
  setMuted: (isMuted: boolean) => write(MUTED_KEY, isMuted),
  setWantsNotifications: (wants: boolean) => write(NOTIFY_KEY, wants),
};

export function useAlertSettings(): AlertSettings {
  return useSyncExternalStore(subscribe, getSnapshot);
}
