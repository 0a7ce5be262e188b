import type { Deps } from '../../platform/deps.ts';
import { hasLiveConnection } from './live-connections.ts';

/** How many people are available and serving a desk right now. */
export async function staffedCount(deps: Deps, libraryId: string, deskId: string): Promise<number> {
  const rows = await deps.db
    .selectFrom('staff_presence')
    .innerJoin('staff', 'staff.id', 'staff_presence.staff_id')
    .select(['staff_presence.desk_ids_json'])
    .where('staff.library_id', '=', libraryId)
    .where('staff.is_active', '=', true)
    .where('staff_presence.status', '=', 'available')
    .where(hasLiveConnection('staff', 'staff_presence.staff_id'))
    .execute();
  return rows.filter((r) => Array.isArray(r.desk_ids_json) && (r.desk_ids_json as string[]).includes(deskId)).length;
}
