import { Link, useSearchParams } from 'react-router';
import type { Conversation, ConversationStatus } from '@branchline/protocol';
import { useConversations } from '../../api/conversations.ts';
import { useDesks } from '../../api/desks.ts';
import { useLibrary } from '../../api/libraries.ts';
import { useStaffList } from '../../api/staff.ts';
import { DataTable, type Column } from '../../ui/data-table.tsx';
import { DateTime } from '../../ui/date-time.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { PageHeading } from '../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { PagedCount, ShowOlder } from '../../ui/show-older.tsx';
import { dayRange } from '../../ui/zoned-day.ts';
import { useSession } from '../auth/session-context.ts';
import { patronName, STATUS_NAMES } from '../chat/chat-words.ts';
import { filtersFromSearch, searchFromFilters, type InboxFilters } from './inbox-filters.ts';

/**
 * Every conversation of the library, newest first, a page at a time: filtered by status, desk
 * and assignee, found by the patron's name or email, narrowed to days in the library's time zone.
 */
export function InboxPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const desks = useDesks(session.staff.libraryId).data ?? [];
  const staff = useStaffList().data ?? [];
  const timeZone = useLibrary(session.staff.libraryId).data?.timeZone;
  const { since, until, backwards, ready } = dayRange(filters.from, filters.to, timeZone);
  const conversations = useConversations(
    {
      status: filters.status,
      deskId: filters.deskId,
      assignee: filters.assignee,
      patron: filters.patron,
      since,
      until,
    },
    ready,
  );
  const deskName = (id: string) => desks.find((d) => d.id === id)?.name ?? '—';
  const staffName = (id: string | null) =>
    id === null ? 'Nobody' : id === session.staff.id ? 'You' : (staff.find((s) => s.id === id)?.displayName ?? '—');

  function set(change: Partial<InboxFilters>) {
    setParams(searchFromFilters({ ...filters, ...change }), { replace: true });
  }

  const columns: Column<Conversation>[] = [
    {
      key: 'patron',
      header: 'Patron',
      cell: (c) => <Link to={`/inbox/${c.id}`}>{patronName(c)}</Link>,
      sortValue: (c) => patronName(c),
    },
    { key: 'desk', header: 'Desk', cell: (c) => deskName(c.deskId), sortValue: (c) => deskName(c.deskId) },
    { key: 'status', header: 'Status', cell: (c) => STATUS_NAMES[c.status], sortValue: (c) => c.status },
    {
      key: 'assignee',
      header: 'Assignee',
      cell: (c) => staffName(c.assigneeId),
      sortValue: (c) => staffName(c.assigneeId),
    },
    {
      key: 'created',
      header: 'Started',
      cell: (c) => <DateTime iso={c.createdAt} timeZone={timeZone} />,
      sortValue: (c) => c.createdAt,
    },
    { key: 'tags', header: 'Tags', cell: (c) => c.tags.join(', ') },
  ];

  const rows = conversations.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeading>Inbox</PageHeading>
      <p className="lead">Every conversation of the library, newest first. Opening one is recorded in the audit log.</p>
      <form
        className="filters"
        aria-label="Filter conversations"
        onSubmit={(e) => {
          e.preventDefault();
          const typed = new FormData(e.currentTarget).get('patron');
          set({ patron: typeof typed === 'string' ? typed.trim().slice(0, 120) : '' });
        }}
      >
        <div className="filters__search">
          <TextField
            key={filters.patron}
            id="inbox-patron"
            name="patron"
            label="Patron"
            type="search"
            maxLength={120}
            defaultValue={filters.patron}
            hint="Part of a name or email address, then Enter."
          />
          <button type="submit" className="button">
            Find
          </button>
        </div>
        <SelectField
          id="inbox-status"
          label="Status"
          value={filters.status}
          onChange={(e) => set({ status: e.target.value as ConversationStatus | '' })}
        >
          <option value="">Any status</option>
          {Object.entries(STATUS_NAMES).map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </SelectField>
        <SelectField
          id="inbox-desk"
          label="Desk"
          value={filters.deskId}
          onChange={(e) => set({ deskId: e.target.value })}
        >
          <option value="">Any desk</option>
          {desks.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          id="inbox-assignee"
          label="Assignee"
          value={filters.assignee}
          onChange={(e) => set({ assignee: e.target.value })}
        >
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Nobody</option>
        </SelectField>
        <TextField
          id="inbox-from"
          label="From"
          type="date"
          value={filters.from}
          onChange={(e) => set({ from: e.target.value })}
        />
        <TextField
          id="inbox-to"
          label="To"
          type="date"
          value={filters.to}
          error={backwards ? 'Choose a day on or after the start' : undefined}
          onChange={(e) => set({ to: e.target.value })}
        />
      </form>
      {backwards ? null : conversations.isPending ? (
        <Loading what="conversations" />
      ) : conversations.isError ? (
        <LoadError error={conversations.error} what="the conversations" />
      ) : (
        <>
          <PagedCount count={rows.length} more={conversations.hasNextPage} noun={['conversation', 'conversations']} />
          <DataTable
            caption="Conversations"
            columns={columns}
            rows={rows}
            rowKey={(c) => c.id}
            initialSort={{ key: 'created', direction: 'descending' }}
            empty={params.size > 0 ? 'No conversation matches the filters.' : 'No conversations yet.'}
          />
          <ShowOlder query={conversations} noun="conversations" />
        </>
      )}
    </>
  );
}
