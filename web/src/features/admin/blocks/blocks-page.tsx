import { useState } from 'react';
import { Link } from 'react-router';
import type { PatronBlock } from '@branchline/protocol';
import { useBlocks, useLiftBlock } from '../../../api/blocks.ts';
import { useLibrary } from '../../../api/libraries.ts';
import { ConfirmDialog } from '../../../ui/confirm-dialog.tsx';
import { DataTable, type Column } from '../../../ui/data-table.tsx';
import { DateTime } from '../../../ui/date-time.tsx';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useAnnounce } from '../../../ui/status-region.tsx';
import { useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';

const SCOPE_NAMES: Record<PatronBlock['scope'], string> = {
  browser: 'That browser',
  network: 'Everyone at the address',
};

/** The blocks in force, for supervisors and administrators to review and lift early. */
export function BlocksPage() {
  return (
    <RequireAbility anyOf={['blocks.manage']} title="Blocked patrons">
      <Blocks />
    </RequireAbility>
  );
}

function Blocks() {
  const session = useSession();
  const timeZone = useLibrary(session.staff.libraryId).data?.timeZone;
  const blocks = useBlocks();
  const lift = useLiftBlock();
  const announce = useAnnounce();
  const [lifting, setLifting] = useState<PatronBlock | null>(null);

  const columns: Column<PatronBlock>[] = [
    {
      key: 'since',
      header: 'Blocked',
      cell: (b) => <DateTime iso={b.createdAt} timeZone={timeZone} />,
      sortValue: (b) => b.createdAt,
    },
    {
      key: 'until',
      header: 'Until',
      cell: (b) => <DateTime iso={b.until} timeZone={timeZone} />,
      sortValue: (b) => b.until,
    },
    { key: 'scope', header: 'Who is kept out', cell: (b) => SCOPE_NAMES[b.scope], sortValue: (b) => b.scope },
    { key: 'reason', header: 'Reason', cell: (b) => b.reason },
    {
      key: 'by',
      header: 'Blocked by',
      cell: (b) => b.blockedBy?.displayName ?? 'A former staff member',
      sortValue: (b) => b.blockedBy?.displayName ?? null,
    },
    {
      key: 'actions',
      header: 'Actions',
      cell: (b) => (
        <div className="table-actions">
          {b.conversationId ? (
            <Link to={`/inbox/${b.conversationId}`} className="button button--small">
              Read the chat<span className="visually-hidden"> blocked {b.createdAt}</span>
            </Link>
          ) : null}
          <button type="button" className="button button--small button--danger-outline" onClick={() => setLifting(b)}>
            Lift block<span className="visually-hidden"> made {b.createdAt}</span>
          </button>
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeading>Blocked patrons</PageHeading>
      <p className="lead">
        Patrons who cannot start a chat or leave a question for now. A block ends by itself at the time shown; lift it
        sooner if it was a mistake or the matter is settled. Lifting is recorded in the audit log.
      </p>
      {lift.isError ? (
        <div role="alert" className="notice notice--error">
          <p>Could not lift the block. {lift.error.message}</p>
        </div>
      ) : null}
      {blocks.isPending ? (
        <Loading what="blocks" />
      ) : blocks.isError ? (
        <LoadError error={blocks.error} what="the blocks" />
      ) : (
        <DataTable
          caption={`Blocks in force (${blocks.data.length})`}
          columns={columns}
          rows={blocks.data}
          rowKey={(b) => b.id}
          initialSort={{ key: 'since', direction: 'descending' }}
          empty="Nobody is blocked."
        />
      )}
      <ConfirmDialog
        open={lifting !== null}
        title="Lift this block?"
        confirmLabel="Lift block"
        onCancel={() => setLifting(null)}
        onConfirm={() => {
          if (!lifting) return;
          lift.mutate(lifting.id, { onSuccess: () => announce('Block lifted. The patron can chat again.') });
          setLifting(null);
        }}
      >
        <p>
          {lifting ? SCOPE_NAMES[lifting.scope] : ''} will be able to start a chat and leave questions again at once.
        </p>
      </ConfirmDialog>
    </>
  );
}
