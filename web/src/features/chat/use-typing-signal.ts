import { useCallback, useEffect, useRef } from 'react';
import { staffConnection } from './live-connection.ts';

const IDLE_MS = 3_000;

/**
 * Tells the patron "the librarian is typing" while the person types a reply, and stops after a
 * pause, on send, or when the chat is left. Never for internal notes.
 */
export function useTypingSignal(conversationId: string, isEnabled: boolean) {
  const isTyping = useRef(false);
  const timer = useRef<number | undefined>(undefined);

  const stop = useCallback(() => {
    window.clearTimeout(timer.current);
    if (!isTyping.current) return;
    isTyping.current = false;
    staffConnection.setTyping(conversationId, false);
  }, [conversationId]);

  const typed = useCallback(() => {
    if (!isEnabled) return stop();
    if (!isTyping.current) {
      isTyping.current = true;
      staffConnection.setTyping(conversationId, true);
    }
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(stop, IDLE_MS);
  }, [conversationId, isEnabled, stop]);

  useEffect(() => stop, [stop]);
  return { typed, stop };
}
