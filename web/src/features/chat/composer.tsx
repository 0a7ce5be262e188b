import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { fitsOneFrame, MAX_MESSAGE_CHARS, type CannedResponse } from '@branchline/protocol';
import { useCannedResponses } from '../../api/canned-responses.ts';
import { CannedSuggestions, optionId } from './canned-suggestions.tsx';
import { drafts } from './drafts.ts';
import { staffConnection } from './live-connection.ts';
import { matchCanned, slashQuery } from './slash-command.ts';
import { NOTE_LABEL } from './transcript.tsx';
import { useTypingSignal } from './use-typing-signal.ts';

/** The message box of one chat (several can be on screen side by side). */
export function composerId(conversationId: string): string {
  return `chat-composer-${conversationId}`;
}

let focusRequest: string | null = null;

/** Puts the cursor in the composer of this chat: now if it is showing, else as soon as it renders. */
export function requestComposerFocus(conversationId: string): void {
  const element = document.getElementById(composerId(conversationId));
  if (element instanceof HTMLTextAreaElement) {
    focusAtEnd(element);
    return;
  }
  focusRequest = conversationId;
}

/** Focus with the caret after the text, so typing goes on from where a draft ended. */
function focusAtEnd(element: HTMLTextAreaElement): void {
  element.focus();
  element.setSelectionRange(element.value.length, element.value.length);
}

interface ComposerProps {
  conversationId: string;
  /** Replies are possible (the chat is in progress); otherwise only internal notes. */
  canReply: boolean;
}

/**
 * The message box. Enter sends, Shift+Enter starts a new line; "/" at the start offers the
 * canned responses; "Internal note" makes the message visible to staff only.
 */
export function Composer({ conversationId, canReply }: ComposerProps) {
  const [text, setText] = useState(() => drafts.get(conversationId)?.text ?? '');
  const [wantsNote, setWantsNote] = useState(() => drafts.get(conversationId)?.isNote ?? false);
  const [activeIndex, setActiveIndex] = useState(0);
  const [isListDismissed, setIsListDismissed] = useState(false);
  const canned = useCannedResponses();
  const listId = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const isNote = wantsNote || !canReply;
  const typing = useTypingSignal(conversationId, !isNote);

  const query = slashQuery(text);
  const matches = query === null || isListDismissed ? [] : matchCanned(canned.data ?? [], query);
  const isListOpen = matches.length > 0;
  const active = Math.min(activeIndex, Math.max(0, matches.length - 1));
  const problem =
    text.length > MAX_MESSAGE_CHARS
      ? `At most ${MAX_MESSAGE_CHARS} characters: ${text.length - MAX_MESSAGE_CHARS} too many.`
      : fitsOneFrame(text)
        ? null
        : 'Too long to send at once in this script: split it into two messages.';
  const tooLong = problem !== null;

  useEffect(() => {
    if (text || wantsNote) drafts.set(conversationId, { text, isNote: wantsNote });
    else drafts.delete(conversationId);
  }, [conversationId, text, wantsNote]);

  useEffect(() => {
    if (focusRequest !== conversationId) return;
    focusRequest = null;
    if (textRef.current) focusAtEnd(textRef.current);
  }, [conversationId]);

  function change(next: string) {
    setText(next);
    setIsListDismissed(false);
    setActiveIndex(0);
    if (next.trim()) typing.typed();
    else typing.stop();
  }

  function insert(response: CannedResponse) {
    change(response.body);
    requestAnimationFrame(() => {
      if (textRef.current) focusAtEnd(textRef.current);
    });
  }

  function send(event?: FormEvent) {
    event?.preventDefault();
    const body = text.trim();
    if (!body || tooLong) return;
    typing.stop();
    staffConnection.sendMessage(conversationId, body, isNote);
    setText('');
    drafts.delete(conversationId);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.nativeEvent.isComposing) return;
    if (isListOpen) {
      const picked = matches[active];
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActiveIndex((active + step + matches.length) % matches.length);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && picked) {
        event.preventDefault();
        insert(picked);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setIsListDismissed(true);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      send();
    }
  }

  const hintId = `${listId}-hint`;
  return (
    <form className={`composer${isNote ? ' composer--note' : ''}`} onSubmit={send} aria-label="Write a message">
      <label htmlFor={composerId(conversationId)} className="field__label">
        {isNote ? NOTE_LABEL : 'Reply to the patron'}
      </label>
      <p id={hintId} className="field__hint">
        Enter sends, Shift+Enter adds a line. Type / for canned responses.
        {canReply ? null : ' This chat has ended: you can still add internal notes.'}
      </p>
      <div className="composer__box">
        <textarea
          id={composerId(conversationId)}
          ref={textRef}
          data-conversation-id={conversationId}
          rows={3}
          value={text}
          onChange={(event) => change(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={typing.stop}
          aria-describedby={tooLong ? `${hintId} ${listId}-error` : hintId}
          aria-invalid={tooLong ? true : undefined}
          aria-autocomplete="list"
          aria-controls={isListOpen ? listId : undefined}
          aria-activedescendant={isListOpen ? optionId(listId, active) : undefined}
        />
        {isListOpen ? <CannedSuggestions id={listId} matches={matches} activeIndex={active} onPick={insert} /> : null}
      </div>
      <p className="visually-hidden" role="status">
        {isListOpen ? `${matches.length} canned ${matches.length === 1 ? 'response matches' : 'responses match'}.` : ''}
      </p>
      {tooLong ? (
        <p id={`${listId}-error`} className="field__error">
          {problem}
        </p>
      ) : null}
      <div className="composer__actions">
        <div className="field field--checkbox composer__note-toggle">
          <input
            id={`${composerId(conversationId)}-note`}
            type="checkbox"
            checked={isNote}
            disabled={!canReply}
            onChange={(event) => {
              setWantsNote(event.target.checked);
              if (event.target.checked) typing.stop();
            }}
          />
          <label htmlFor={`${composerId(conversationId)}-note`} className="field__label">
            Internal note
          </label>
        </div>
        <button type="submit" className="button button--primary" disabled={!text.trim() || tooLong}>
          {isNote ? 'Add note' : 'Send'}
        </button>
      </div>
    </form>
  );
}
