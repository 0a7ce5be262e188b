import { describe, expect, it } from 'vitest';
import { pickMode, pickTitleAlert, serverBase } from './config.ts';

describe('serverBase', () => {
  it('is the origin of the widget script', () => {
    expect(serverBase(null, 'https://chat.example.org/widget.js?v=2', 'https://library.example.org')).toBe(
      'https://chat.example.org',
    );
  });

  it('prefers the server attribute, keeping its path', () => {
    expect(serverBase('https://example.org/branchline/', 'https://chat.example.org/widget.js', 'https://x.org')).toBe(
      'https://example.org/branchline',
    );
  });

  it('ignores attributes that are not http(s) URLs and falls back to the page', () => {
    expect(serverBase('javascript:alert(1)', null, 'https://library.example.org')).toBe('https://library.example.org');
    expect(serverBase('not a url', 'also not', 'https://library.example.org')).toBe('https://library.example.org');
  });
});

describe('pickTitleAlert', () => {
  it('is on unless title-alert="off"', () => {
    expect(pickTitleAlert(null)).toBe(true);
    expect(pickTitleAlert('')).toBe(true);
    expect(pickTitleAlert(' OFF ')).toBe(false);
    expect(pickTitleAlert('on')).toBe(true);
  });
});

describe('pickMode', () => {
  it('is the launcher unless page is asked for', () => {
    expect(pickMode(null)).toBe('launcher');
    expect(pickMode('PAGE')).toBe('page');
    expect(pickMode('inline')).toBe('launcher');
  });
});
