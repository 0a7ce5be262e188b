import { useSyncExternalStore } from 'react';

const MUTED_KEY = 'branchline.chat.muted';
const NOTIFY_KEY = 'branchline.chat.desktopNotifications';
const SIDE_BY_SIDE_KEY = 'branchline.chat.sideBySide';

/** How a person likes their console, remembered in this browser. */
export interface ConsoleSettings {
  isMuted: boolean;
  /** The person asked for desktop notifications (the browser must also allow them). */
  wantsNotifications: boolean;
  /** Their open chats shown next to each other rather than one at a time. */
  sideBySide: boolean;
}

function read(): ConsoleSettings {
  try {
    return {
      isMuted: localStorage.getItem(MUTED_KEY) === 'true',
      wantsNotifications: localStorage.getItem(NOTIFY_KEY) === 'true',
      sideBySide: localStorage.getItem(SIDE_BY_SIDE_KEY) === 'true',
    };
  } catch {
    return { isMuted: false, wantsNotifications: false, sideBySide: false };
  }
}

let snapshot: ConsoleSettings | null = null;
const listeners = new Set<() => void>();

function getSnapshot(): ConsoleSettings {
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

export const consoleSettings = {
  get: getSnapshot,
  setMuted: (isMuted: boolean) => write(MUTED_KEY, isMuted),
  setWantsNotifications: (wants: boolean) => write(NOTIFY_KEY, wants),
  setSideBySide: (sideBySide: boolean) => write(SIDE_BY_SIDE_KEY, sideBySide),
};

export function useConsoleSettings(): ConsoleSettings {
  return useSyncExternalStore(subscribe, getSnapshot);
}
