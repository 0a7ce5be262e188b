import { useCallback, useEffect, useRef } from 'react';

/**
 * Returns `focusLater(id)`: focus the element with that id once React has rendered it. Used when
 * a button adds or removes a row, so keyboard focus lands somewhere sensible instead of the page.
 */
export function useFocusLater(): (id: string) => void {
  const pending = useRef<string | null>(null);

  useEffect(() => {
    if (pending.current === null) return;
    document.getElementById(pending.current)?.focus();
    pending.current = null;
  });

  return useCallback((id: string) => {
    pending.current = id;
  }, []);
}
