/** What a key press asks the console to do. */
export type ShortcutAction =
  { kind: 'help' } | { kind: 'select'; index: number } | { kind: 'step'; delta: 1 | -1 } | { kind: 'accept' };

export interface KeyPress {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** Focus is in a text field: plain keys belong to it. */
  inTextField: boolean;
}

/** The shortcuts, as the `?` overlay lists them. */
export const SHORTCUTS: readonly { keys: string; does: string }[] = [
  { keys: '?', does: 'Show these shortcuts (when not typing in a field)' },
  { keys: 'Alt + 1 … 9', does: 'Open the 1st … 9th of my chats' },
  { keys: 'Alt + ↑ / Alt + ↓', does: 'Open the previous or next of my chats' },
  { keys: 'Alt + A', does: 'Accept the chat that has waited longest for you' },
  { keys: 'Enter', does: 'Send the message' },
  { keys: 'Shift + Enter', does: 'New line in the message' },
  { keys: '/ at the start of a message', does: 'Choose a canned response: ↑ ↓ to move, Enter to insert, Esc to close' },
  { keys: 'Esc', does: 'Close this overlay, the desk list or the canned responses' },
];

/** Maps a key press to a console action; null for keys the console leaves alone. */
export function shortcutFor(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey) return null;
  if (press.altKey) {
    // Layout-independent: Alt + digit and Alt + A by physical key (Alt changes the character on a Mac).
    const digit = /^Digit([1-9])$/.exec(press.code);
    if (digit) return { kind: 'select', index: Number(digit[1]) - 1 };
    if (press.key === 'ArrowUp') return { kind: 'step', delta: -1 };
    if (press.key === 'ArrowDown') return { kind: 'step', delta: 1 };
    if (press.code === 'KeyA') return { kind: 'accept' };
    return null;
  }
  if (press.key === '?' && !press.inTextField) return { kind: 'help' };
  return null;
}

/** Whether an element takes typed text, so "?" there is a question mark and not a shortcut. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return true;
  }
  if (!(target instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}
