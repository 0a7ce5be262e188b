import { Link } from 'react-router';
import type { Conversation, Desk } from '@branchline/protocol';
import { usePatronHistory } from '../../api/conversations.ts';
import { DateTime } from '../../ui/date-time.tsx';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { languageName, READ_SCALE, STATUS_NAMES } from './chat-words.ts';

interface PatronDetailsProps {
  conversation: Conversation;
  desks: readonly Desk[];
  timeZone: string | undefined;
}

const deskNameOf = (desks: readonly Desk[], id: string) => desks.find((d) => d.id === id)?.name ?? 'Unknown desk';

/** Who the patron is (as far as they said), where they asked, and what was recorded. */
export function PatronDetails({ conversation, desks, timeZone }: PatronDetailsProps) {
  const { patron } = conversation;
  const readLabel = READ_SCALE.find((r) => r.value === String(conversation.readScale))?.label;
  return (
    <section aria-labelledby="patron-heading">
      <h2 id="patron-heading">About the patron</h2>
      <dl className="summary-list summary-list--compact">
        <dt>Name</dt>
        <dd>{patron.name ?? 'Not given'}</dd>
        <dt>Email</dt>
        <dd>{patron.email ?? 'Not given'}</dd>
        <dt>Language</dt>
        <dd>{languageName(conversation.language)}</dd>
        <dt>Desk</dt>
        <dd>{deskNameOf(desks, conversation.deskId)}</dd>
        <dt>Started</dt>
        <dd>
          <DateTime iso={conversation.createdAt} timeZone={timeZone} />
        </dd>
        {conversation.tags.length > 0 ? (
          <>
            <dt>Tags</dt>
            <dd>{conversation.tags.join(', ')}</dd>
          </>
        ) : null}
        {readLabel ? (
          <>
            <dt>READ scale</dt>
            <dd>{readLabel}</dd>
          </>
        ) : null}
      </dl>
      {patron.isIdentified ? null : <p className="muted">The patron has not said who they are.</p>}
    </section>
  );
}

/** The same patron's earlier conversations, when they gave an email address. */
export function EarlierConversations({ conversation, desks, timeZone }: PatronDetailsProps) {
  const history = usePatronHistory(conversation.id, conversation.patron.email);
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Earlier conversations</h2>
      {history.isPending ? (
        <Loading what="earlier conversations" />
      ) : history.isError ? (
        <LoadError error={history.error} what="earlier conversations" />
      ) : history.data.length === 0 ? (
        <p className="muted">
          {conversation.patron.email ? 'None.' : 'None known: the patron has not given an email address.'}
        </p>
      ) : (
        <>
          <p className="field__hint">Opening a conversation is recorded in the audit log.</p>
          <ul className="history-list">
            {history.data.map((earlier) => (
              <li key={earlier.id}>
                <Link to={`/inbox/${earlier.id}`}>
                  <DateTime iso={earlier.createdAt} timeZone={timeZone} />
                </Link>
                <br />
                <span className="muted">
                  {deskNameOf(desks, earlier.deskId)} · {STATUS_NAMES[earlier.status]}
                  {earlier.tags.length > 0 ? ` · ${earlier.tags.join(', ')}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
