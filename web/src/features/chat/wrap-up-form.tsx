import { useState, type FormEvent } from 'react';
import type { Conversation } from '@branchline/protocol';
import { useConversationActions } from '../../api/conversations.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { RadioGroup, TextField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { parseTags, READ_SCALE } from './chat-words.ts';
import { staffConnection } from './live-connection.ts';

const FORM = 'wrapup';
const LABELS: Record<string, string> = { tags: 'Tags', readScale: 'READ scale' };

/** After the chat: tags and the READ scale, for the library's numbers. */
export function WrapUpForm({ conversation }: { conversation: Conversation }) {
  const [tags, setTags] = useState(conversation.tags.join(', '));
  const [readScale, setReadScale] = useState(conversation.readScale === null ? '' : String(conversation.readScale));
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const [isSaved, setIsSaved] = useState(false);
  const { wrapUp } = useConversationActions(conversation.id, (c) => {
    staffConnection.putConversation(c);
    setIsSaved(true);
  });
  const errors = useFormErrors(wrapUp.error, local, { collapse: ['tags'] });
  const idFor = (path: string) => fieldId(FORM, path);

  function submit(event: FormEvent) {
    event.preventDefault();
    const list = parseTags(tags);
    const tooLong = list.find((t) => t.length > 40);
    if (tooLong || list.length > 20) {
      return setLocal({
        tags: tooLong ? `“${tooLong.slice(0, 20)}…” is longer than 40 characters` : 'At most 20 tags',
      });
    }
    setLocal(null);
    setIsSaved(false);
    wrapUp.mutate({ tags: list, readScale: readScale ? Number(readScale) : null });
  }

  return (
    <form className="context-form" noValidate onSubmit={submit} aria-labelledby="wrapup-heading">
      <h2 id="wrapup-heading">Wrap-up</h2>
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
      <TextField
        id={idFor('tags')}
        label="Tags"
        value={tags}
        error={errors.fields['tags']}
        hint="Separated by commas, e.g. holds, ebooks."
        onChange={(e) => {
          setTags(e.target.value);
          setIsSaved(false);
        }}
      />
      <RadioGroup
        id={idFor('readScale')}
        name="read-scale"
        legend="READ scale: how much effort the answer took"
        value={readScale}
        options={READ_SCALE}
        error={errors.fields['readScale']}
        onChange={(value) => {
          setReadScale(value);
          setIsSaved(false);
        }}
      />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={wrapUp.isPending}>
          {wrapUp.isPending ? 'Saving…' : 'Save wrap-up'}
        </button>
        <p role="status" className="wrapup-saved">
          {isSaved ? 'Wrap-up saved.' : ''}
        </p>
      </div>
    </form>
  );
}
