import { describe, expect, it } from 'vitest';
import { conversationListSearch } from '../../api/conversations.ts';
import { filtersFromSearch, searchFromFilters } from './inbox-filters.ts';

const NONE = { status: '', deskId: '', assignee: '', patron: '', from: '', to: '' };

describe('inbox filters', () => {
  it('reads known values from the address and ignores the rest', () => {
    expect(
      filtersFromSearch(
        new URLSearchParams('status=active&desk=d1&assignee=me&patron=%20ann%20&from=2026-05-01&to=2026-05-31'),
      ),
    ).toEqual({ status: 'active', deskId: 'd1', assignee: 'me', patron: 'ann', from: '2026-05-01', to: '2026-05-31' });
    expect(filtersFromSearch(new URLSearchParams('status=bogus&from=yesterday&to=2026-5-1'))).toEqual(NONE);
    expect(filtersFromSearch(new URLSearchParams(`patron=${'x'.repeat(200)}`)).patron).toHaveLength(120);
  });

  it('writes only the filters that are set, to the address and to the API', () => {
    const filters = { ...NONE, status: 'resolved' as const, assignee: 'none', patron: 'ann lee' };
    expect(searchFromFilters(filters)).toEqual({ status: 'resolved', assignee: 'none', patron: 'ann lee' });
    expect(conversationListSearch({ status: 'resolved', assignee: 'none', patron: 'ann lee' })).toBe(
      'status=resolved&assignee=none&patron=ann+lee&limit=50',
    );
    expect(conversationListSearch({ deskId: 'd1' }, 50, 'cursor')).toBe('deskId=d1&limit=50&before=cursor');
  });
});
