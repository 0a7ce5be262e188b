import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Concurrent patron↔staff chats. */
  pairs: number;
  /** Total patron messages per second in the steady phase. */
  rate: number;
  /** Measured length of the steady phase (after pairing and a short warm-up). */
  seconds: number;
  warmupSeconds: number;
  /** Length of each saturation step. */
  stepSeconds: number;
  /** Each saturation step offers this many times the previous one. */
  stepFactor: number;
  maxSteps: number;
  /** A step whose p99 exceeds this is past saturation: the search stops there. */
  saturationP99Ms: number;
  /** Chats each bench staff member may hold (the product allows 1–10). */
  chatsPerStaff: number;
  quick: boolean;
  /** Profile the server child during the measured phases and print where its time went. */
  profile: boolean;
  /** Write the run into bench/RESULTS.md (default: yes, except with --quick). */
  record: boolean;
  skipBaseline: boolean;
  /** Run the server on this PostgreSQL database (in a schema made for the run) instead of SQLite. */
  postgres: string | undefined;
}

const HELP = `npm run bench:chat -- [options]

  --pairs N         concurrent chats                    (env BENCH_PAIRS, default 1000; quick 100)
  --rate N          steady messages/s, all chats        (env BENCH_RATE, default 1000; quick 100)
  --seconds N       steady phase length                 (env BENCH_SECONDS, default 20; quick 5)
  --step-seconds N  saturation step length              (env BENCH_STEP_SECONDS, default 5; quick 3)
  --quick           100 chats, 5 s: a fast check (not recorded unless --record)
  --profile         CPU-profile the server during the measured phases and summarise it
  --record / --no-record   write bench/RESULTS.md
  --skip-baseline   measure only Branchline
  --postgres URL    run the server on PostgreSQL (env BENCH_POSTGRES_URL), in a schema made for the
                    run and dropped after it; the relay + SQLite baseline is then left out

  BENCH_PAIRING_GROUP=N   staff made available together while chats are paired (default 2)
`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

/** Flags win over BENCH_* environment variables, which win over the defaults (or --quick's). */
export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      pairs: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'step-seconds': { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      record: { type: 'boolean' },
      'no-record': { type: 'boolean' },
      'skip-baseline': { type: 'boolean', default: false },
      postgres: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const pairs = Math.round(positive('pairs', values.pairs ?? env.BENCH_PAIRS, quick ? 100 : 1000));
  return {
    pairs,
    rate: positive('rate', values.rate ?? env.BENCH_RATE, quick ? 100 : 1000),
    seconds: positive('seconds', values.seconds ?? env.BENCH_SECONDS, quick ? 5 : 20),
    warmupSeconds: quick ? 1 : 2,
    stepSeconds: positive('step-seconds', values['step-seconds'] ?? env.BENCH_STEP_SECONDS, quick ? 3 : 5),
    stepFactor: quick ? 2 : 1.6,
    maxSteps: 14,
    saturationP99Ms: 1000,
    chatsPerStaff: 10,
    quick,
    profile: values.profile ?? false,
    record: values['no-record'] ? false : (values.record ?? !quick),
    skipBaseline: values['skip-baseline'] ?? false,
    postgres: values.postgres ?? (env.BENCH_POSTGRES_URL || undefined),
  };
}
