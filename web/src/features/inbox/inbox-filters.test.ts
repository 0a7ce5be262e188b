import { describe, expect, it } from 'vitest';
import { conversationListSearch } from '../../api/conversations.ts';
import { filtersFromSearch, searchFromFilters } from './inbox-filters.ts';

describe('inbox filters', () => {
  it('reads known values from the address and ignores the rest', () => {
    expect(filtersFromSearch(new URLSearchParams('status=active&desk=d1&assignee=me'))).toEqual({
      status: 'active',
      deskId: 'd1',
      assignee: 'me',
    });
    expect(filtersFromSearch(new URLSearchParams('status=bogus'))).toEqual({ status: '', deskId: '', assignee: '' });
  });

  it('writes only the filters that are set, to the address and to the API', () => {
    const filters = { status: 'resolved' as const, deskId: '', assignee: 'none' };
    expect(searchFromFilters(filters)).toEqual({ status: 'resolved', assignee: 'none' });
    expect(conversationListSearch(filters)).toBe('status=resolved&assignee=none&limit=200');
  });
});
