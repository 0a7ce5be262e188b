import type { Deps } from '../../platform/deps.ts';
import { gaugeOf } from '../../platform/metrics.ts';

/**
 * Gauges for the chat, read when Prometheus asks: the connections this instance holds, and the
 * chats waiting for an answer per library (all instances see the same queue).
 */
export function registerChatGauges(deps: Deps): void {
  gaugeOf(
    deps.metrics,
    {
      name: 'branchline_live_connections',
      help: 'Open connections this instance holds: staff dashboards and patron chats',
      labelNames: ['kind'] as const,
    },
    () => [
      { labels: { kind: 'staff' }, value: deps.connections.count('staff') },
      { labels: { kind: 'patron' }, value: deps.connections.count('patron') },
    ],
  );
  gaugeOf(
    deps.metrics,
    {
      name: 'branchline_chats_waiting',
      help: 'Chats queued for an answer, by library',
      labelNames: ['library'] as const,
    },
    async () => {
      const rows = await deps.db
        .selectFrom('libraries')
        .leftJoin('conversations', (join) =>
          join
            .onRef('conversations.library_id', '=', 'libraries.id')
            .on('conversations.status', '=', 'queued')
            .on('conversations.channel', '=', 'chat'),
        )
        .select(['libraries.slug', (eb) => eb.fn.count<number>('conversations.id').as('n')])
        .groupBy('libraries.slug')
        .execute();
      return rows.map((r) => ({ labels: { library: r.slug }, value: Number(r.n) }));
    },
  );
}
