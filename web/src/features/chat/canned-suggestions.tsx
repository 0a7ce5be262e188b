import type { CannedResponse } from '@branchline/protocol';

interface CannedSuggestionsProps {
  id: string;
  matches: readonly CannedResponse[];
  activeIndex: number;
  onPick: (response: CannedResponse) => void;
}

export const optionId = (listId: string, index: number) => `${listId}-option-${index}`;

/** The listbox under the composer while "/shortcut" is typed; the composer keeps focus (aria-activedescendant). */
export function CannedSuggestions({ id, matches, activeIndex, onPick }: CannedSuggestionsProps) {
  return (
    <ul id={id} role="listbox" aria-label="Canned responses" className="canned-list">
      {matches.map((response, index) => (
        <li
          key={response.id}
          id={optionId(id, index)}
          role="option"
          aria-selected={index === activeIndex}
          className="canned-list__option"
          // Keep focus in the composer: pick on mouse down, before the textarea would blur.
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(response);
          }}
        >
          <span className="canned-list__shortcut">/{response.shortcut}</span>{' '}
          <span className="canned-list__title">{response.title}</span>
          <span className="canned-list__body">{response.body}</span>
        </li>
      ))}
    </ul>
  );
}
