import { describe, expect, it } from 'vitest';
import { TitleAlert } from './title-alert.ts';

describe('TitleAlert', () => {
  it('shows the alert in front of the page title only while the tab is in the background', () => {
    const doc = { title: 'Events — Riverbend Library' };
    const alert = new TitleAlert(doc);
    alert.update('(1) Reply from the library', false);
    expect(doc.title).toBe('Events — Riverbend Library');
    alert.update('(1) Reply from the library', true);
    expect(doc.title).toBe('(1) Reply from the library · Events — Riverbend Library');
    alert.update('(2) Reply from the library', true);
    expect(doc.title).toBe('(2) Reply from the library · Events — Riverbend Library');
    alert.update('(2) Reply from the library', false);
    expect(doc.title).toBe('Events — Riverbend Library');
  });

  it('gives the title back when there is nothing left to say, even in the background', () => {
    const doc = { title: 'Home' };
    const alert = new TitleAlert(doc);
    alert.update('(1) Reply from the library', true);
    alert.update('', true);
    expect(doc.title).toBe('Home');
  });

  it('keeps a title the page set meanwhile, and restores that one', () => {
    const doc = { title: 'Home' };
    const alert = new TitleAlert(doc);
    alert.update('(1) Reply from the library', true);
    doc.title = 'Search results';
    alert.update('(1) Reply from the library', true);
    expect(doc.title).toBe('(1) Reply from the library · Search results');
    alert.clear();
    expect(doc.title).toBe('Search results');
  });

  it('leaves alone a title the page changed after the last alert; gives an untitled page its empty title back', () => {
    const doc = { title: 'Home' };
    const alert = new TitleAlert(doc);
    alert.update('(1) Reply from the library', true);
    doc.title = 'Checkout';
    alert.clear();
    expect(doc.title).toBe('Checkout');
    const untitled = { title: '' };
    const other = new TitleAlert(untitled);
    other.update('(1) Reply from the library', true);
    expect(untitled.title).toBe('(1) Reply from the library');
    other.clear();
    expect(untitled.title).toBe('');
  });
});
