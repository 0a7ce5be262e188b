import { Link, useSearchParams } from 'react-router';
import type { AuditAction, AuditEntry } from '@branchline/protocol';
import { useAuditLog, type AuditFilters } from '../../../api/audit-log.ts';
import { useLibrary } from '../../../api/libraries.ts';
import { useStaffList } from '../../../api/staff.ts';
import { DataTable, type Column } from '../../../ui/data-table.tsx';
import { DateTime } from '../../../ui/date-time.tsx';
import { SelectField, TextField } from '../../../ui/field.tsx';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { PagedCount, ShowOlder } from '../../../ui/show-older.tsx';
import { dayRange } from '../../../ui/zoned-day.ts';
import { useCan, useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { ACTION_NAMES, ACTIONS, actorName, detailText } from './audit-words.ts';

/** The filters as the address keeps them: dates as the person typed them, in the library's days. */
interface Chosen {
  action: AuditAction | '';
  actor: string;
  subject: string;
  from: string;
  to: string;
}

function chosenFrom(params: URLSearchParams): Chosen {
  const action = params.get('action') ?? '';
  return {
    action: (ACTIONS as string[]).includes(action) ? (action as AuditAction) : '',
    actor: params.get('actor') ?? '',
    subject: params.get('subject') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

/** The record an entry is about, linked to its page when this person can open it. */
function SubjectCell({ subject }: { subject: AuditEntry['subject'] }) {
  const { libraryId } = useSession().staff;
  const canStaff = useCan('staff.update');
  const canDesks = useCan('desk.update');
  const canBranches = useCan('branch.update');
  const canLibrary = useCan('library.update');
  if (subject.id === null) return <>—</>;
  if (subject.label === null) return <span className="muted">No longer exists</span>;
  const href =
    subject.type === 'conversation'
      ? `/inbox/${subject.id}`
      : subject.type === 'staff' && canStaff
        ? `/admin/staff/${subject.id}`
        : subject.type === 'desk' && canDesks
          ? `/admin/desks/${subject.id}`
          : subject.type === 'branch' && canBranches
            ? `/admin/branches/${subject.id}`
            : subject.type === 'library' && canLibrary && subject.id === libraryId
              ? '/admin/library'
              : undefined;
  return href ? <Link to={href}>{subject.label}</Link> : <>{subject.label}</>;
}

/** Administrators and supervisors read who did what to which record, newest first. */
export function AuditPage() {
  return (
    <RequireAbility anyOf={['audit.read']} title="Audit log">
      <AuditLog />
    </RequireAbility>
  );
}

function AuditLog() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const chosen = chosenFrom(params);
  const timeZone = useLibrary(session.staff.libraryId).data?.timeZone;
  const staff = useStaffList().data ?? [];
  const { since, until, backwards, ready } = dayRange(chosen.from, chosen.to, timeZone);
  const filters: AuditFilters = {
    action: chosen.action,
    actorId: chosen.actor,
    subjectId: chosen.subject,
    since,
    until,
  };
  const log = useAuditLog(filters, ready);

  function set(change: Partial<Chosen>) {
    const next = { ...chosen, ...change };
    const search: Record<string, string> = {};
    for (const [key, value] of Object.entries(next)) if (value) search[key] = value;
    setParams(search, { replace: true });
  }

  const columns: Column<AuditEntry>[] = [
    { key: 'at', header: 'When', cell: (e) => <DateTime iso={e.at} timeZone={timeZone} /> },
    { key: 'who', header: 'Who', cell: (e) => actorName(e.actor) },
    { key: 'what', header: 'What', cell: (e) => ACTION_NAMES[e.action] },
    { key: 'record', header: 'Record', cell: (e) => <SubjectCell subject={e.subject} /> },
    { key: 'details', header: 'Details', cell: (e) => detailText(e) || '—' },
  ];

  const rows = log.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.values(chosen).some(Boolean);
  const download = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) download.set(key, value);
  return (
    <>
      <PageHeading>Audit log</PageHeading>
      <p className="lead">
        Who did what: sign-ins, changes to settings and staff accounts, transcripts read, patrons blocked and unblocked,
        and transcripts deleted when their time was up. Entries cannot be changed or removed. Times are in the library’s
        time zone.
      </p>
      <form className="filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          id="audit-action"
          label="What happened"
          value={chosen.action}
          onChange={(e) => set({ action: e.target.value as AuditAction | '' })}
        >
          <option value="">Anything</option>
          {ACTIONS.map((action) => (
            <option key={action} value={action}>
              {ACTION_NAMES[action]}
            </option>
          ))}
        </SelectField>
        <SelectField id="audit-actor" label="Who" value={chosen.actor} onChange={(e) => set({ actor: e.target.value })}>
          <option value="">Anyone</option>
          {staff.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <TextField
          id="audit-from"
          label="From"
          type="date"
          value={chosen.from}
          onChange={(e) => set({ from: e.target.value })}
        />
        <TextField
          id="audit-to"
          label="To"
          type="date"
          value={chosen.to}
          error={backwards ? 'Choose a day on or after the start' : undefined}
          onChange={(e) => set({ to: e.target.value })}
        />
      </form>
      {chosen.subject ? (
        <p>
          Showing the entries about one record. <Link to="/admin/audit">Show every entry</Link>
        </p>
      ) : null}
      {backwards ? null : (
        <p>
          <a className="button" href={`/api/audit-log/export?${download.toString()}`} download>
            Download {filtered ? 'these entries' : 'the log'} as CSV
          </a>
        </p>
      )}
      {backwards ? null : log.isPending ? (
        <Loading what="the audit log" />
      ) : log.isError ? (
        <LoadError error={log.error} what="the audit log" />
      ) : (
        <>
          <PagedCount count={rows.length} more={log.hasNextPage} noun={['entry', 'entries']} />
          <DataTable
            caption="Audit log entries, newest first"
            columns={columns}
            rows={rows}
            rowKey={(e) => e.id}
            empty={filtered ? 'No entry matches the filters.' : 'Nothing has been recorded yet.'}
          />
          <ShowOlder query={log} noun="entries" />
        </>
      )}
    </>
  );
}
