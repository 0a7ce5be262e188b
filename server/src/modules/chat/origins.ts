import type { Deps } from '../../platform/deps.ts';
import { findLibrary } from '../libraries/libraries.service.ts';

export interface OriginCheck {
  /** Whether a page at `origin` may use this library's chat. No Origin (not a browser) is allowed. */
  isAllowed(libraryId: string, origin: string | undefined): Promise<boolean>;
  /** Whether any library allows `origin` (for CORS preflights, before the library is known). */
  isKnown(origin: string): Promise<boolean>;
}

const CACHE_MS = 30_000;

/** Embedding origins are allow-listed per library; the server's own origin is always allowed. */
export function createOriginCheck(deps: Deps): OriginCheck {
  const own = new URL(deps.config.publicUrl).origin.toLowerCase();
  const cache = new Map<string, { at: number; origins: Set<string> }>();
  let all: { at: number; origins: Set<string> } | undefined;

  async function originsOf(libraryId: string): Promise<Set<string>> {
    const hit = cache.get(libraryId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.origins;
    const library = await findLibrary(deps.db, libraryId);
    const origins = new Set((library?.allowedOrigins ?? []).map((o) => o.toLowerCase()));
    cache.set(libraryId, { at: Date.now(), origins });
    return origins;
  }

  return {
    async isAllowed(libraryId, origin) {
      if (origin === undefined) return true;
      const o = origin.toLowerCase();
      return o === own || (await originsOf(libraryId)).has(o);
    },
    async isKnown(origin) {
      const o = origin.toLowerCase();
      if (o === own) return true;
      if (!all || Date.now() - all.at >= CACHE_MS) {
        const rows = await deps.db.selectFrom('libraries').select('allowed_origins_json').execute();
        all = {
          at: Date.now(),
          origins: new Set(
            rows.flatMap((r) =>
              Array.isArray(r.allowed_origins_json)
                ? (r.allowed_origins_json as string[]).map((o) => o.toLowerCase())
                : [],
            ),
          ),
        };
      }
      return all.origins.has(o);
    },
  };
}
