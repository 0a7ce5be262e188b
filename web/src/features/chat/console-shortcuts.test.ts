import { describe, expect, it } from 'vitest';
import { shortcutFor, type KeyPress } from './console-shortcuts.ts';

const press = (overrides: Partial<KeyPress>): KeyPress => ({
  key: '',
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  inTextField: false,
  ...overrides,
});

describe('shortcutFor', () => {
  it('opens the overlay with ? only outside text fields', () => {
    expect(shortcutFor(press({ key: '?' }))).toEqual({ kind: 'help' });
    expect(shortcutFor(press({ key: '?', inTextField: true }))).toBeNull();
  });

  it('selects chats by Alt + digit and steps with Alt + arrows, even while typing', () => {
    expect(shortcutFor(press({ altKey: true, code: 'Digit3', key: '£', inTextField: true }))).toEqual({
      kind: 'select',
      index: 2,
    });
    expect(shortcutFor(press({ altKey: true, key: 'ArrowDown' }))).toEqual({ kind: 'step', delta: 1 });
    expect(shortcutFor(press({ altKey: true, key: 'ArrowUp' }))).toEqual({ kind: 'step', delta: -1 });
    expect(shortcutFor(press({ altKey: true, code: 'KeyA', key: 'å' }))).toEqual({ kind: 'accept' });
    expect(shortcutFor(press({ altKey: true, code: 'Digit0' }))).toBeNull();
  });

  it('leaves other keys and browser shortcuts alone', () => {
    expect(shortcutFor(press({ key: 'a' }))).toBeNull();
    expect(shortcutFor(press({ ctrlKey: true, altKey: true, code: 'Digit1' }))).toBeNull();
    expect(shortcutFor(press({ metaKey: true, key: '?' }))).toBeNull();
  });
});
