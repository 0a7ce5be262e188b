import { Link, useSearchParams } from 'react-router';
import type { Conversation, ConversationStatus } from '@branchline/protocol';
import { useConversations } from '../../api/conversations.ts';
import { useDesks } from '../../api/desks.ts';
import { useLibrary } from '../../api/libraries.ts';
import { useStaffList } from '../../api/staff.ts';
import { DataTable, type Column } from '../../ui/data-table.tsx';
import { DateTime } from '../../ui/date-time.tsx';
import { SelectField } from '../../ui/field.tsx';
import { FilterCount } from '../../ui/filter-count.tsx';
import { PageHeading } from '../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { useSession } from '../auth/session-context.ts';
import { patronName, STATUS_NAMES } from '../chat/chat-words.ts';
import { filtersFromSearch, searchFromFilters } from './inbox-filters.ts';

const LIMIT = 200;

/** Every conversation of the library, newest first, filtered by status, desk and assignee. */
export function InboxPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const conversations = useConversations(filters);
  const desks = useDesks(session.staff.libraryId).data ?? [];
  const staff = useStaffList().data ?? [];
  const timeZone = useLibrary(session.staff.libraryId).data?.timeZone;
  const deskName = (id: string) => desks.find((d) => d.id === id)?.name ?? '—';
  const staffName = (id: string | null) =>
    id === null ? 'Nobody' : id === session.staff.id ? 'You' : (staff.find((s) => s.id === id)?.displayName ?? '—');

  function set(change: Partial<typeof filters>) {
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

  const rows = conversations.data ?? [];
  return (
    <>
      <PageHeading>Inbox</PageHeading>
      <p className="lead">Every conversation of the library, newest first. Opening one is recorded in the audit log.</p>
      <form className="filters" aria-label="Filter conversations" onSubmit={(e) => e.preventDefault()}>
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
      </form>
      {conversations.isPending ? (
        <Loading what="conversations" />
      ) : conversations.isError ? (
        <LoadError error={conversations.error} what="the conversations" />
      ) : (
        <>
          <FilterCount shown={rows.length} total={rows.length} noun={['conversation', 'conversations']} />
          {rows.length === LIMIT ? (
            <p className="muted">Showing the newest {LIMIT}. Narrow the filters to find older ones.</p>
          ) : null}
          <DataTable
            caption="Conversations"
            columns={columns}
            rows={rows}
            rowKey={(c) => c.id}
            initialSort={{ key: 'created', direction: 'descending' }}
            empty={params.size > 0 ? 'No conversation matches the filters.' : 'No conversations yet.'}
          />
        </>
      )}
    </>
  );
}
