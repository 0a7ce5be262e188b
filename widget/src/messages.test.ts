import { describe, expect, it } from 'vitest';
import { SYSTEM_EVENT_KINDS } from '@branchline/protocol';
import { catalogue, pickLang, t } from './messages.ts';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('message catalogue', () => {
  it('has the same keys in English and Spanish', () => {
    expect(Object.keys(catalogue.es).sort()).toEqual(Object.keys(catalogue.en).sort());
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(catalogue.en) as Array<keyof typeof catalogue.en>) {
      expect(placeholders(catalogue.es[key]), key).toEqual(placeholders(catalogue.en[key]));
    }
  });

  it('has words for every system event kind', () => {
    for (const kind of SYSTEM_EVENT_KINDS) expect(`sys_${kind}` in catalogue.en, kind).toBe(true);
  });

  it('leaves no string empty except events not shown to patrons', () => {
    for (const lang of ['en', 'es'] as const) {
      for (const [key, value] of Object.entries(catalogue[lang])) {
        if (key !== 'sys_offered') expect(value.trim(), `${lang}.${key}`).not.toBe('');
      }
    }
  });

  it('never speaks of agents, tickets or sessions to a patron', () => {
    const all = Object.values(catalogue.en).join(' ').toLowerCase();
    expect(all).not.toMatch(/\b(agent|ticket|session)s?\b/);
  });

  it('fills placeholders', () => {
    expect(t('en', 'typing', { name: 'Maria' })).toBe('Maria is typing…');
    expect(t('es', 'chattingWith', { name: 'Ana' })).toBe('Está conversando con Ana');
  });

  it('picks es for Spanish tags and en for anything else', () => {
    expect(pickLang('es')).toBe('es');
    expect(pickLang('es-MX')).toBe('es');
    expect(pickLang('ES')).toBe('es');
    expect(pickLang('en-US')).toBe('en');
    expect(pickLang('fr')).toBe('en');
    expect(pickLang(null)).toBe('en');
  });
});
