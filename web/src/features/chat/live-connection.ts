import { useEffect, useSyncExternalStore } from 'react';
import type { ChatState } from './chat-state.ts';
import { sessionEnded } from '../../api/client.ts';
import { drafts } from './drafts.ts';
import { StaffConnection, type SocketFactory } from './staff-connection.ts';

/** The dashboard's socket address on this origin; the session cookie authenticates it. */
function staffSocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/api/staff/ws`;
}

const browserSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data);
  };
  socket.onclose = () => handlers.onClose();
  return { send: (data) => socket.send(data), close: () => socket.close() };
};

/** The one live connection of this tab. */
export const staffConnection = new StaffConnection({
  url: staffSocketUrl,
  createSocket: browserSocket,
  onOnline: (listener) => {
    window.addEventListener('online', listener);
    return () => window.removeEventListener('online', listener);
  },
  // The dashboard forgets the session and asks the person to sign in, as after a 401.
  onSessionEnded: sessionEnded,
});

let holders = 0;
let stopTimer: number | undefined;

/**
 * Keeps the connection open while a component that needs it is mounted (the header's presence
 * slot, for everyone who answers chats). Closing waits a moment, so a remount does not reconnect.
 */
export function useLiveConnection(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    holders += 1;
    window.clearTimeout(stopTimer);
    staffConnection.start();
    return () => {
      holders -= 1;
      if (holders > 0) return;
      stopTimer = window.setTimeout(() => {
        staffConnection.stop();
        drafts.clear();
      }, 1_000);
    };
  }, [enabled]);
}

/** The console's state, re-rendering when it changes. */
export function useChatState(): ChatState {
  return useSyncExternalStore(staffConnection.subscribe, staffConnection.getSnapshot);
}
