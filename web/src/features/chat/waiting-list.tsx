import type { Desk } from '@branchline/protocol';
import type { ChatState, Notice, Offer } from './chat-state.ts';
import { languageNote, patronName, previewText } from './chat-words.ts';
import { formatDuration, secondsSince } from './duration.ts';
import { staffConnection } from './live-connection.ts';
import { noticeText } from './notice-text.ts';
import { useSecondsNow } from './use-seconds-now.ts';

interface WaitingListProps {
  state: ChatState;
  desks: readonly Desk[];
  onAccept: (conversationId: string) => void;
}

/** What became of the last chat that stopped ringing ("Taken by Sofía."), until the next one rings. */
function lastGone(notices: readonly Notice[]): Notice | null {
  const last = notices.findLast((n) => n.kind === 'offer' || n.kind === 'taken' || n.kind === 'withdrawn');
  return last && last.kind !== 'offer' ? last : null;
}

function OfferCard({
  offer,
  state,
  desk,
  now,
  onAccept,
}: { offer: Offer; desk: Desk | undefined; now: number } & Omit<WaitingListProps, 'desks'>) {
  const { conversation, preview } = offer;
  const waited = secondsSince(conversation.waitingSince ?? conversation.queuedAt ?? conversation.createdAt, now);
  const ringsFor = offer.ringUntil ? Math.max(0, Math.ceil((Date.parse(offer.ringUntil) - now) / 1000)) : null;
  const error = state.errors[conversation.id];
  const headingId = `offer-${conversation.id}`;
  return (
    <li className="offer">
      <h3 id={headingId} className="offer__who">
        {patronName(conversation)} <span className="offer__desk">on {desk?.name ?? 'a desk'}</span>
      </h3>
      <p className="offer__wait">
        Waiting {formatDuration(waited)}
        {languageNote(conversation.language)}
        {ringsFor !== null ? ` · rings for you for ${formatDuration(ringsFor)} more` : ''}
      </p>
      {preview ? <p className="offer__preview">“{previewText(preview)}”</p> : null}
      {error ? (
        <p role="alert" className="field__error">
          {error}
        </p>
      ) : null}
      <div className="offer__actions">
        <button
          type="button"
          className="button button--primary button--small"
          onClick={() => onAccept(conversation.id)}
        >
          Accept<span className="visually-hidden"> chat with {patronName(conversation)}</span>
        </button>
        {/* On either kind of desk: the chat stops ringing for this person while colleagues can take it. */}
        <button type="button" className="button button--small" onClick={() => staffConnection.decline(conversation.id)}>
          Pass<span className="visually-hidden"> to a colleague</span>
        </button>
      </div>
    </li>
  );
}

/** Chats ringing for this person, and how many wait at each desk (highlighted past the desk's threshold). */
export function WaitingList({ state, desks, onAccept }: WaitingListProps) {
  const now = useSecondsNow(1_000);
  const gone = lastGone(state.notices);
  const queues = state.queues
    .map((queue) => ({ queue, desk: desks.find((d) => d.id === queue.deskId) }))
    .filter((q) => q.desk);
  return (
    <section aria-labelledby="waiting-heading" className="pane-section">
      <h2 id="waiting-heading">
        Waiting <span className="count">({state.offers.length})</span>
      </h2>
      {gone ? (
        // Already announced by the header's live region; shown here for the eyes.
        <p className="offer-gone">{noticeText(gone, (id) => desks.find((d) => d.id === id)?.name ?? 'a desk')}</p>
      ) : null}
      {state.offers.length === 0 ? (
        <p className="muted">No chats are ringing for you.</p>
      ) : (
        <ul className="offer-list">
          {state.offers.map((offer) => (
            <OfferCard
              key={offer.conversation.id}
              offer={offer}
              state={state}
              desk={desks.find((d) => d.id === offer.conversation.deskId)}
              now={now}
              onAccept={onAccept}
            />
          ))}
        </ul>
      )}
      <h3 className="pane-subheading">Desk queues</h3>
      <ul className="queue-list">
        {queues.map(({ queue, desk }) => {
          const oldest = secondsSince(queue.oldestQueuedAt, now);
          const threshold = desk?.waitThresholdSeconds ?? 90;
          const isLate = queue.waiting > 0 && (queue.overThreshold || oldest > threshold);
          return (
            <li key={queue.deskId} className={`queue${isLate ? ' queue--late' : ''}`}>
              <span className="queue__desk">{desk?.name}</span>{' '}
              <span className="queue__count">{queue.waiting === 0 ? 'none waiting' : `${queue.waiting} waiting`}</span>
              {queue.waiting > 0 ? <span className="queue__oldest">longest {formatDuration(oldest)}</span> : null}
              {isLate ? (
                <strong className="queue__late">
                  <span aria-hidden="true">⚠ </span>Waiting over {formatDuration(threshold)}
                </strong>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
