import { useLayoutEffect, useRef, type ReactNode } from 'react';
import type { ConversationEvent } from '@branchline/protocol';
import type { PendingSend } from './chat-state.ts';
import { MessageText } from './message-text.tsx';
import { systemText } from './system-text.ts';

export const NOTE_LABEL = 'Internal note — the patron can’t see this';

interface TranscriptProps {
  label: string;
  events: readonly ConversationEvent[];
  pending?: readonly PendingSend[];
  patronName: string;
  myStaffId: string;
  /** The patron's last seen seq; undefined where marks make no sense (a read-only view). */
  patronSeenSeq?: number | undefined;
  timeZone?: string | undefined;
  onRetry?: (clientId: string) => void;
  onDiscard?: (clientId: string) => void;
}

function timeOf(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(
    new Date(iso),
  );
}

function momentOf(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

function pendingMark(send: PendingSend): string {
  if (send.internal) return send.state === 'sent' ? 'Saved' : 'Saving…';
  return send.state === 'sent' ? 'Sent' : 'Sending…';
}

/** Whether the list is scrolled (nearly) to its end, so new messages should keep it there. */
function isAtEnd(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 48;
}

/**
 * A conversation's log: patron and staff messages, internal notes marked as such, system events
 * as small centred lines; then what this tab is still sending. A polite live log, so new
 * messages are read out without moving focus.
 */
export function Transcript(props: TranscriptProps) {
  const { label, events, pending = [], patronName, myStaffId, patronSeenSeq, timeZone } = props;
  const ref = useRef<HTMLDivElement>(null);
  const stickToEnd = useRef(true);

  useLayoutEffect(() => {
    const element = ref.current;
    if (element && stickToEnd.current) element.scrollTop = element.scrollHeight;
  }, [events.length, pending.length]);

  return (
    <div
      ref={ref}
      className="transcript"
      role="log"
      aria-live="polite"
      aria-label={label}
      tabIndex={0}
      onScroll={(event) => (stickToEnd.current = isAtEnd(event.currentTarget))}
    >
      {events.length === 0 && pending.length === 0 ? <p className="transcript__empty">No messages yet.</p> : null}
      {events.map((event) => {
        if (event.type === 'system') {
          return (
            <p key={event.seq} className="entry entry--system">
              {systemText(event, (iso) => momentOf(iso, timeZone))}{' '}
              <time dateTime={event.createdAt}>{timeOf(event.createdAt, timeZone)}</time>
            </p>
          );
        }
        const isMine = event.author.kind === 'staff' && event.author.staffId === myStaffId;
        const who =
          event.author.kind === 'patron' ? patronName : event.author.kind === 'staff' ? event.author.displayName : '';
        const mark =
          isMine && event.type === 'message' && patronSeenSeq !== undefined
            ? patronSeenSeq >= event.seq
              ? 'Seen'
              : 'Sent'
            : null;
        return (
          <Entry
            key={event.seq}
            kind={event.type === 'note' ? 'note' : event.author.kind === 'patron' ? 'patron' : 'staff'}
            who={isMine ? `${who} (you)` : who}
            time={<time dateTime={event.createdAt}>{timeOf(event.createdAt, timeZone)}</time>}
            body={event.body}
            mark={mark}
          />
        );
      })}
      {pending.map((send) => (
        <Entry
          key={send.clientId}
          kind={send.internal ? 'note' : 'staff'}
          who="You"
          time={null}
          body={send.body}
          mark={send.state === 'failed' ? null : pendingMark(send)}
          failure={
            send.state === 'failed' ? (
              <div className="entry__failure">
                <p>Not sent: {send.error}</p>
                <button type="button" className="button button--small" onClick={() => props.onRetry?.(send.clientId)}>
                  Try again
                </button>{' '}
                <button
                  type="button"
                  className="button button--small button--quiet"
                  onClick={() => props.onDiscard?.(send.clientId)}
                >
                  Discard
                </button>
              </div>
            ) : null
          }
        />
      ))}
    </div>
  );
}

interface EntryProps {
  kind: 'patron' | 'staff' | 'note';
  who: string;
  time: ReactNode;
  body: string;
  mark: string | null;
  failure?: ReactNode;
}

function Entry({ kind, who, time, body, mark, failure }: EntryProps) {
  return (
    <div className={`entry entry--${kind}`}>
      <p className="entry__meta">
        <span className="entry__who">{who}</span> {time}
      </p>
      {kind === 'note' ? <p className="entry__note-label">{NOTE_LABEL}</p> : null}
      <p className="entry__body">
        <MessageText text={body} />
      </p>
      {mark ? (
        // Marks change as the patron reads; they are not news to read out.
        <p className="entry__mark" aria-live="off">
          {mark}
        </p>
      ) : null}
      {failure}
    </div>
  );
}
