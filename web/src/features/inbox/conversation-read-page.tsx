import { Link, useParams } from 'react-router';
import { useConversation } from '../../api/conversations.ts';
import { useDesks } from '../../api/desks.ts';
import { useLibrary } from '../../api/libraries.ts';
import { DateTime } from '../../ui/date-time.tsx';
import { PageHeading } from '../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { useCan, useSession } from '../auth/session-context.ts';
import { languageName, patronName, READ_SCALE, STATUS_NAMES } from '../chat/chat-words.ts';
import { Transcript } from '../chat/transcript.tsx';

/** One conversation, read-only, with its internal notes. The server audits each opening. */
export function ConversationReadPage() {
  const { conversationId = '' } = useParams();
  const session = useSession();
  const conversation = useConversation(conversationId);
  const desks = useDesks(session.staff.libraryId).data ?? [];
  const timeZone = useLibrary(session.staff.libraryId).data?.timeZone;
  const canAudit = useCan('audit.read');

  if (conversation.isPending) return <Loading what="the conversation" />;
  if (conversation.isError) {
    return (
      <>
        <PageHeading>Conversation</PageHeading>
        <LoadError error={conversation.error} what="the conversation" />
        <p>
          <Link to="/inbox">Back to the inbox</Link>
        </p>
      </>
    );
  }
  const c = conversation.data;
  const name = patronName(c);
  const isMineNow = c.assigneeId === session.staff.id && c.status === 'active';
  return (
    <>
      <PageHeading title={`Conversation with ${name}`}>Conversation with {name}</PageHeading>
      <p className="notice">
        Opening a conversation is recorded in the audit log.
        {canAudit ? (
          <>
            {' '}
            <Link to={{ pathname: '/admin/audit', search: `?subject=${c.id}` }}>
              See who has opened this one or acted on it
            </Link>
          </>
        ) : null}
      </p>
      <p>
        <Link to="/inbox">Back to the inbox</Link>
        {isMineNow ? (
          <>
            {' · '}
            <Link to={{ pathname: '/chat', search: `?c=${c.id}` }}>Open in the chat console</Link>
          </>
        ) : null}
      </p>
      <dl className="summary-list">
        <dt>Status</dt>
        <dd>{STATUS_NAMES[c.status]}</dd>
        <dt>Desk</dt>
        <dd>{desks.find((d) => d.id === c.deskId)?.name ?? '—'}</dd>
        <dt>Patron</dt>
        <dd>{[c.patron.name, c.patron.email].filter(Boolean).join(', ') || 'Did not say who they are'}</dd>
        <dt>Language</dt>
        <dd>{languageName(c.language)}</dd>
        <dt>Started</dt>
        <dd>
          <DateTime iso={c.createdAt} timeZone={timeZone} />
        </dd>
        <dt>Tags</dt>
        <dd>{c.tags.length > 0 ? c.tags.join(', ') : 'None'}</dd>
        <dt>READ scale</dt>
        <dd>{READ_SCALE.find((r) => r.value === String(c.readScale))?.label ?? 'Not recorded'}</dd>
        {c.rating ? (
          <>
            <dt>Patron’s rating</dt>
            <dd>
              {c.rating.score} of 5{c.rating.comment ? `: “${c.rating.comment}”` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Messages</h2>
      {c.purgedAt ? (
        <p className="notice">
          The messages and the patron’s details were deleted on <DateTime iso={c.purgedAt} timeZone={timeZone} />, as
          the library keeps transcripts only for a set time after a conversation ends (Admin → Library).
        </p>
      ) : (
        <Transcript
          label={`Messages with ${name}`}
          events={c.events}
          patronName={name}
          myStaffId={session.staff.id}
          timeZone={timeZone}
        />
      )}
    </>
  );
}
