import { useChatToday } from '../../api/chat-today.ts';
import { ApiError } from '../../api/client.ts';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { formatDuration } from '../chat/duration.ts';

/** Today's chats in the library's own day: answered, missed, abandoned, and the median wait. */
export function TodayPanel() {
  const today = useChatToday();
  // Partners have no chats: the panel is left out rather than shown as an error.
  if (today.error instanceof ApiError && today.error.code === 'forbidden') return null;
  return (
    <section className="panel" aria-labelledby="today-heading">
      <h2 id="today-heading">Today</h2>
      {today.isPending ? (
        <Loading what="today’s numbers" />
      ) : today.isError ? (
        <LoadError error={today.error} what="today’s numbers" />
      ) : (
        <>
          <dl className="stats">
            <div className="stat">
              <dt>Chats answered</dt>
              <dd>{today.data.answered}</dd>
            </div>
            <div className="stat">
              <dt>Missed</dt>
              <dd>{today.data.missed}</dd>
            </div>
            <div className="stat">
              <dt>Patron left before an answer</dt>
              <dd>{today.data.abandoned}</dd>
            </div>
            <div className="stat">
              <dt>Median wait</dt>
              <dd>
                {today.data.medianWaitSeconds === null ? (
                  <>
                    <span aria-hidden="true">—</span>
                    <span className="visually-hidden">no chats answered yet</span>
                  </>
                ) : (
                  formatDuration(today.data.medianWaitSeconds)
                )}
              </dd>
            </div>
          </dl>
          <p className="field__hint">Since midnight in the library’s time zone; updated every minute.</p>
        </>
      )}
    </section>
  );
}
