import { useEffect, useState, type FormEvent } from 'react';
import type { Conversation, Desk } from '@branchline/protocol';
import { useConversationActions } from '../../api/conversations.ts';
import { usePresenceList } from '../../api/presence.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { RadioGroup, SelectField, TextAreaField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { deskAnswerers, transferCandidates } from './chat-selectors.ts';
import { staffConnection, useChatState } from './live-connection.ts';

const FORM = 'transfer';
const LABELS: Record<string, string> = { toStaffId: 'Colleague', toDeskId: 'Desk', note: 'Note for them' };
type Target = 'staff' | 'desk';

interface TransferFormProps {
  conversation: Conversation;
  myStaffId: string;
  desks: readonly Desk[];
  onTransferred: (to: string) => void;
}

/** Hands the chat to a colleague, or back to a desk's queue, with an internal note. */
export function TransferForm({ conversation, myStaffId, desks, onTransferred }: TransferFormProps) {
  const [target, setTarget] = useState<Target>('staff');
  const [staffId, setStaffId] = useState('');
  const [deskId, setDeskId] = useState('');
  const [note, setNote] = useState('');
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const presence = usePresenceList();
  // Read again whenever a colleague comes online, goes away or takes a chat, not only every 20 s.
  const { colleaguesVersion } = useChatState();
  const { refetch } = presence;
  useEffect(() => {
    if (colleaguesVersion > 0) void refetch();
  }, [colleaguesVersion, refetch]);
  const { transfer } = useConversationActions(conversation.id, (c) => staffConnection.putConversation(c));
  // "Priya is offline" or "has no room" is about the colleague chosen: say it next to that field.
  const errors = useFormErrors(transfer.error, local, { conflictField: target === 'staff' ? 'toStaffId' : 'toDeskId' });
  const idFor = (path: string) => fieldId(FORM, path);
  const people = transferCandidates(presence.data ?? [], myStaffId);
  const openDesks = desks.filter((d) => d.isActive);
  const answerers = (id: string) => deskAnswerers(presence.data ?? [], id, myStaffId);

  function submit(event: FormEvent) {
    event.preventDefault();
    const chosen = target === 'staff' ? staffId : deskId;
    const path = target === 'staff' ? 'toStaffId' : 'toDeskId';
    if (!chosen) return setLocal({ [path]: target === 'staff' ? 'Choose a colleague' : 'Choose a desk' });
    setLocal(null);
    const to =
      target === 'staff'
        ? (people.find((p) => p.staffId === staffId)?.displayName ?? 'a colleague')
        : (openDesks.find((d) => d.id === deskId)?.name ?? 'the desk');
    // Not mutate's own onSuccess: the answer makes the chat someone else's, which unmounts this
    // form before such a callback would run. The promise settles whatever is mounted.
    transfer
      .mutateAsync({ ...(target === 'staff' ? { toStaffId: chosen } : { toDeskId: chosen }), note: note.trim() })
      .then(() => onTransferred(to))
      .catch(() => undefined); // shown next to the fields from transfer.error
  }

  return (
    <form className="context-form" noValidate onSubmit={submit} aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">Transfer</h2>
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
      <RadioGroup
        id={idFor('target')}
        name="transfer-target"
        legend="Transfer to"
        value={target}
        options={[
          { value: 'staff', label: 'A colleague' },
          { value: 'desk', label: 'A desk (back to its queue)' },
        ]}
        onChange={(next) => {
          // An error about the other kind of target no longer applies.
          setLocal(null);
          transfer.reset();
          setTarget(next);
        }}
      />
      {target === 'staff' ? (
        <SelectField
          id={idFor('toStaffId')}
          label={LABELS['toStaffId']}
          value={staffId}
          error={errors.fields['toStaffId']}
          hint={
            people.length === 0 && !presence.isPending ? 'Nobody else is connected with room for a chat.' : undefined
          }
          onChange={(e) => setStaffId(e.target.value)}
        >
          <option value="">{presence.isPending ? 'Loading…' : 'Choose a colleague'}</option>
          {people.map((p) => (
            <option key={p.staffId} value={p.staffId}>
              {p.displayName} — {p.status === 'available' ? 'Available' : 'Away'}, {p.activeChats} of {p.maxChats} chats
            </option>
          ))}
        </SelectField>
      ) : (
        <SelectField
          id={idFor('toDeskId')}
          label={LABELS['toDeskId']}
          value={deskId}
          error={errors.fields['toDeskId']}
          hint={
            deskId && !presence.isPending && answerers(deskId) === 0
              ? 'Nobody else is available on this desk now: the patron waits in its queue until someone takes the chat.'
              : undefined
          }
          onChange={(e) => setDeskId(e.target.value)}
        >
          <option value="">Choose a desk</option>
          {openDesks.map((d) => (
            <option key={d.id} value={d.id}>
              {presence.isPending ? d.name : `${d.name} — ${availableText(answerers(d.id))}`}
            </option>
          ))}
        </SelectField>
      )}
      <TextAreaField
        id={idFor('note')}
        label={LABELS['note']}
        value={note}
        rows={2}
        maxLength={1000}
        error={errors.fields['note']}
        hint="Optional. An internal note: the patron can’t see it."
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" className="button" disabled={transfer.isPending}>
        {transfer.isPending ? 'Transferring…' : 'Transfer chat'}
      </button>
    </form>
  );
}

/** Short, so that it fits a narrow list: the hint under the label says what "none" means. */
function availableText(count: number): string {
  return count === 0 ? 'none available' : `${count} available`;
}
