import { useState } from 'react';
import { Link } from 'react-router';
import type { CannedResponse } from '@branchline/protocol';
import { useCannedResponses, useCreateCanned, useDeleteCanned, useUpdateCanned } from '../../api/canned-responses.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { DataTable, type Column } from '../../ui/data-table.tsx';
import { PageHeading } from '../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { useAnnounce } from '../../ui/status-region.tsx';
import { useFocusLater } from '../../ui/use-focus-later.ts';
import { CannedForm } from './canned-form.tsx';
import { languageName } from './chat-words.ts';

const EXCERPT = 90;

/** The canned responses staff insert with /shortcut: a table, and a form to add or edit one. */
export function CannedResponsesPage() {
  const canned = useCannedResponses();
  const create = useCreateCanned();
  const update = useUpdateCanned();
  const remove = useDeleteCanned();
  const announce = useAnnounce();
  const focusLater = useFocusLater();
  const [editing, setEditing] = useState<CannedResponse | null>(null);
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);
  const [formKey, setFormKey] = useState(0);

  function edit(response: CannedResponse | null) {
    setEditing(response);
    create.reset();
    update.reset();
    setFormKey((k) => k + 1);
    focusLater('canned-shortcut');
  }

  const columns: Column<CannedResponse>[] = [
    {
      key: 'shortcut',
      header: 'Shortcut',
      cell: (r) => <code>/{r.shortcut}</code>,
      sortValue: (r) => r.shortcut,
    },
    { key: 'title', header: 'Title', cell: (r) => r.title, sortValue: (r) => r.title },
    {
      key: 'body',
      header: 'Text',
      cell: (r) => (r.body.length > EXCERPT ? `${r.body.slice(0, EXCERPT)}…` : r.body),
    },
    { key: 'language', header: 'Language', cell: (r) => languageName(r.language), sortValue: (r) => r.language },
    {
      key: 'actions',
      header: 'Actions',
      cell: (r) => (
        <div className="table-actions">
          <button type="button" className="button button--small" onClick={() => edit(r)}>
            Edit<span className="visually-hidden"> /{r.shortcut}</span>
          </button>
          <button type="button" className="button button--small button--danger-outline" onClick={() => setDeleting(r)}>
            Delete<span className="visually-hidden"> /{r.shortcut}</span>
          </button>
        </div>
      ),
    },
  ];

  const mutation = editing ? update : create;
  return (
    <>
      <PageHeading>Canned responses</PageHeading>
      <p className="lead">
        Answers staff give often. In a chat, type <kbd>/</kbd> and the shortcut to insert one, then edit it if needed.
      </p>
      <p>
        <Link to="/chat">Back to the chat console</Link>
      </p>
      {remove.isError ? (
        <div role="alert" className="notice notice--error">
          <p>Could not delete the canned response. {remove.error.message}</p>
        </div>
      ) : null}
      {canned.isPending ? (
        <Loading what="canned responses" />
      ) : canned.isError ? (
        <LoadError error={canned.error} what="the canned responses" />
      ) : (
        <DataTable
          caption={`Canned responses (${canned.data.length})`}
          columns={columns}
          rows={canned.data}
          rowKey={(r) => r.id}
          initialSort={{ key: 'shortcut', direction: 'ascending' }}
          empty="None yet. Add the first one below."
        />
      )}
      <section className="panel">
        <CannedForm
          key={formKey}
          initial={editing}
          isPending={mutation.isPending}
          error={mutation.error}
          onCancel={editing ? () => edit(null) : null}
          onSubmit={(body) => {
            const done = {
              onSuccess: () => {
                announce(editing ? 'Canned response saved' : 'Canned response added');
                edit(null);
              },
            };
            if (editing) update.mutate({ id: editing.id, body }, done);
            else create.mutate(body, done);
          }}
        />
      </section>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this canned response?"
        confirmLabel="Delete"
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          if (!deleting) return;
          remove.mutate(deleting.id, {
            onSuccess: () => announce(`Canned response /${deleting.shortcut} deleted`),
          });
          setDeleting(null);
        }}
      >
        <p>
          /{deleting?.shortcut} — {deleting?.title}. Staff will no longer be able to insert it.
        </p>
      </ConfirmDialog>
    </>
  );
}
