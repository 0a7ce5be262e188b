import { afterAll, describe, expect, it } from 'vitest';
import { createLocalBus, createRedisBus, type Bus, type BusMessage } from './bus.ts';

function redisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url && process.env.REQUIRE_SERVICES === '1') throw new Error('REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set');
  return url;
}

const waitFor = async (check: () => boolean, ms = 3000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('in-process bus', () => {
  it('delivers to subscribers of the topic only, until they unsubscribe', async () => {
    const bus = createLocalBus();
    const a: BusMessage[] = [];
    const b: BusMessage[] = [];
    const offA = bus.subscribe('conversation:1', (m) => a.push(m));
    bus.subscribe('conversation:2', (m) => b.push(m));
    await bus.publish('conversation:1', { kind: 'events', lastSeq: 3 });
    expect(a).toEqual([{ kind: 'events', lastSeq: 3 }]);
    expect(b).toEqual([]);
    offA();
    await bus.publish('conversation:1', { kind: 'events', lastSeq: 4 });
    expect(a).toHaveLength(1);
    await bus.close();
  });
});

describe.skipIf(!redisUrl())('Redis bus', () => {
  const buses: Bus[] = [];
  afterAll(async () => {
    for (const bus of buses) await bus.close();
  });

  it('carries messages between two instances, once per topic subscription', async () => {
    const url = redisUrl() as string;
    const first = createRedisBus(url);
    const second = createRedisBus(url);
    buses.push(first, second);
    const topic = `conversation:test-${Date.now()}`;
    const heard: BusMessage[] = [];
    const alsoHeard: BusMessage[] = [];
    const off = second.subscribe(topic, (m) => heard.push(m));
    second.subscribe(topic, (m) => alsoHeard.push(m));
    await new Promise((r) => setTimeout(r, 200));
    await first.publish(topic, { kind: 'events', lastSeq: 7 });
    await waitFor(() => heard.length === 1 && alsoHeard.length === 1);
    off();
    await first.publish(topic, { kind: 'events', lastSeq: 8 });
    await waitFor(() => alsoHeard.length === 2);
    expect(heard).toEqual([{ kind: 'events', lastSeq: 7 }]);
    expect(alsoHeard.at(-1)).toEqual({ kind: 'events', lastSeq: 8 });
  });
});
