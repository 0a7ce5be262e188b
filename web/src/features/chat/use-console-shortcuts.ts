import { useEffect, useLayoutEffect, useRef } from 'react';
import { isTextField, shortcutFor, type ShortcutAction } from './console-shortcuts.ts';

/** Listens for the console's shortcuts on the whole page while the console is open. */
export function useConsoleShortcuts(onAction: (action: ShortcutAction) => void): void {
  const handler = useRef(onAction);
  // Before the browser paints: a key pressed as soon as a change shows acts on what it shows.
  useLayoutEffect(() => {
    handler.current = onAction;
  });

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.isComposing) return;
      // A modal dialog is open (the overlay itself, or a confirmation): its keys are its own.
      if (document.querySelector('dialog[open]')) return;
      const action = shortcutFor({
        key: event.key,
        code: event.code,
        altKey: event.altKey,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        inTextField: isTextField(event.target),
      });
      if (!action) return;
      event.preventDefault();
      handler.current(action);
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
