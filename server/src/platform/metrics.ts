import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What the server reports to Prometheus at GET /metrics. Labels are route patterns, kinds and
 * library slugs: never ids of patrons or conversations, never text.
 */
export interface Metrics {
  registry: Registry;
  /** Chat messages stored, by who wrote them (`patron` or `staff`); retried sends count once. */
  chatMessages: Counter<'author'>;
  /** How many pieces of work shared each group-committed transaction. */
  groupCommitSize: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'branchline_' });
  return {
    registry,
    chatMessages: new Counter({
      name: 'branchline_chat_messages_total',
      help: 'Chat messages stored, by author (patron or staff)',
      labelNames: ['author'] as const,
      registers: [registry],
    }),
    groupCommitSize: new Histogram({
      name: 'branchline_group_commit_size',
      help: 'Writes that shared one group-committed transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
  };
}

/** A gauge read when Prometheus asks, from `read` (one value per label set). */
export function gaugeOf<L extends string>(
  metrics: Metrics,
  options: { name: string; help: string; labelNames: readonly L[] },
  read: () =>
    Promise<Array<{ labels: Record<L, string>; value: number }>> | Array<{ labels: Record<L, string>; value: number }>,
): Gauge<L> {
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const { labels, value } of await read()) this.set(labels as Partial<Record<L, string | number>>, value);
    },
  });
}
