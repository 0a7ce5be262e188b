import { useState, type FormEvent } from 'react';
import type { Conversation } from '@branchline/protocol';
import { useConversationActions } from '../../api/conversations.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { RadioGroup, SelectField, TextAreaField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { staffConnection } from './live-connection.ts';

const FORM = 'block';
const LABELS: Record<string, string> = { scope: 'What to block', minutes: 'Block for', reason: 'Reason' };
const DURATIONS = [
  { minutes: '60', label: '1 hour' },
  { minutes: '1440', label: '1 day' },
  { minutes: '10080', label: '1 week' },
];

type Scope = 'browser' | 'network';

/**
 * Blocks an abusive patron for a while and ends the chat. Behind a disclosure, with a required
 * reason and an inline confirmation: it is rare, consequential and audited. The patron's browser
 * is blocked unless the person chooses the whole address, which shuts out everyone behind it.
 */
export function BlockPatronForm({ conversation }: { conversation: Conversation }) {
  const browserKnown = conversation.patron.browserKnown;
  const [scope, setScope] = useState<Scope>(browserKnown ? 'browser' : 'network');
  const [minutes, setMinutes] = useState('60');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const [isConfirming, setIsConfirming] = useState(false);
  const { block } = useConversationActions(conversation.id, (c) => {
    staffConnection.putConversation(c);
    staffConnection.announce('Patron blocked and chat ended.');
  });
  const errors = useFormErrors(block.error, local);
  const idFor = (path: string) => fieldId(FORM, path);
  const duration = DURATIONS.find((d) => d.minutes === minutes)?.label ?? '';

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setIsConfirming(false);
      return setLocal({ reason: 'Say why: supervisors see the reason with the block' });
    }
    setLocal(null);
    setIsConfirming(true);
  }

  return (
    <details className="context-details">
      <summary>Block this patron</summary>
      <form className="context-form" noValidate onSubmit={submit} aria-label="Block this patron">
        <p className="field__hint">
          Stops new chats from this patron for a while and ends this chat. Recorded in the audit log; a supervisor can
          lift it early.
        </p>
        <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
        {browserKnown ? (
          <RadioGroup<Scope>
            id={idFor('scope')}
            name="block-scope"
            legend={LABELS['scope']}
            value={scope}
            error={errors.fields['scope']}
            onChange={setScope}
            options={[
              { value: 'browser', label: 'This patron’s browser' },
              {
                value: 'network',
                label: 'Everyone at their address — also shuts out public computers, schools and shared networks',
              },
            ]}
          />
        ) : (
          <p className="field__hint">
            This patron’s browser cannot be recognised, so the block covers everyone at their address, including public
            computers and shared networks.
          </p>
        )}
        <SelectField
          id={idFor('minutes')}
          label={LABELS['minutes']}
          value={minutes}
          error={errors.fields['minutes']}
          onChange={(e) => setMinutes(e.target.value)}
        >
          {DURATIONS.map((d) => (
            <option key={d.minutes} value={d.minutes}>
              {d.label}
            </option>
          ))}
        </SelectField>
        <TextAreaField
          id={idFor('reason')}
          label={LABELS['reason']}
          value={reason}
          rows={2}
          maxLength={500}
          required
          error={errors.fields['reason']}
          hint="Required."
          onChange={(e) => setReason(e.target.value)}
        />
        {isConfirming ? (
          <div className="inline-confirm" role="group" aria-labelledby="block-confirm">
            <p id="block-confirm">
              <strong>
                {scope === 'network'
                  ? `Block everyone at this patron’s address for ${duration} and end the chat?`
                  : `Block this patron’s browser for ${duration} and end the chat?`}
              </strong>
            </p>
            <div className="button-row">
              <button type="button" className="button" autoFocus onClick={() => setIsConfirming(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="button button--danger"
                disabled={block.isPending}
                onClick={() => block.mutate({ minutes: Number(minutes), reason: reason.trim(), scope })}
              >
                {block.isPending ? 'Blocking…' : 'Yes, block'}
              </button>
            </div>
          </div>
        ) : (
          <button type="submit" className="button button--danger-outline">
            Block patron…
          </button>
        )}
      </form>
    </details>
  );
}
