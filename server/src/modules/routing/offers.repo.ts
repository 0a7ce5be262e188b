import type { Db } from '../../platform/db/database.ts';
import type { Insertable } from 'kysely';
import type { ConversationOffersTable, OfferRow } from '../../platform/db/schema.ts';
import { newId } from '../../platform/tokens.ts';
import { idsNoLongerQueued } from '../conversations/conversations.service.ts';

/**
 * Records an offer; answers undefined when the person is already being rung for that chat (one
 * ringing offer per person and chat, kept by a unique index across routing passes and instances).
 */
export function insertOffer(
  db: Db,
  row: Omit<Insertable<ConversationOffersTable>, 'id'>,
): Promise<OfferRow | undefined> {
  return db
    .insertInto('conversation_offers')
    .values({ ...row, id: newId() })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function offersOf(db: Db, conversationIds: string[]): Promise<OfferRow[]> {
  if (conversationIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('conversation_offers').selectAll().where('conversation_id', 'in', conversationIds).execute();
}

export function ringingOffersOfStaff(db: Db, staffId: string): Promise<OfferRow[]> {
  return db
    .selectFrom('conversation_offers')
    .selectAll()
    .where('staff_id', '=', staffId)
    .where('state', '=', 'ringing')
    .execute();
}

export function expiredOffers(db: Db, now: string): Promise<OfferRow[]> {
  return db
    .selectFrom('conversation_offers')
    .selectAll()
    .where('state', '=', 'ringing')
    .where('ring_until', 'is not', null)
    .where('ring_until', '<=', now)
    .execute();
}

/**
 * Withdraws offers still ringing for a library's chats that are no longer queued. A pass that
 * read the queue just before a chat was taken may ring for it once more; the next pass (one
 * always follows an accept) puts that right.
 */
export function withdrawStaleOffers(db: Db, libraryId: string): Promise<OfferRow[]> {
  return db
    .updateTable('conversation_offers')
    .set({ state: 'withdrawn' })
    .where('state', '=', 'ringing')
    .where((eb) => eb('conversation_id', 'in', idsNoLongerQueued(db, libraryId)))
    .returningAll()
    .execute();
}

/**
 * Moves ringing offers to `state`; answers the ones that moved (so each is announced once).
 * `passedAt` records when a person declined or let it ring out.
 */
export function closeOffers(
  db: Db,
  where: { conversationId?: string; staffId?: string; offerId?: string },
  state: string,
  passedAt?: string,
): Promise<OfferRow[]> {
  let q = db
    .updateTable('conversation_offers')
    .set({ state, ...(passedAt === undefined ? {} : { passed_at: passedAt }) })
    .where('state', '=', 'ringing');
  if (where.conversationId !== undefined) q = q.where('conversation_id', '=', where.conversationId);
  if (where.staffId !== undefined) q = q.where('staff_id', '=', where.staffId);
  if (where.offerId !== undefined) q = q.where('id', '=', where.offerId);
  return q.returningAll().execute();
}

/** When each person last let a chat pass (declined it or let it ring out), from that chat's offers. */
export function passedTimes(offers: readonly OfferRow[]): Map<string, string> {
  const passed = new Map<string, string>();
  for (const o of offers) {
    if (o.state !== 'timeout' && o.state !== 'declined') continue;
    const at = o.passed_at ?? o.offered_at;
    if ((passed.get(o.staff_id) ?? '') < at) passed.set(o.staff_id, at);
  }
  return passed;
}

/** Takes the deadline off a ringing offer (its desk now rings everyone until someone answers). */
export async function clearRingDeadline(db: Db, offerId: string): Promise<boolean> {
  const result = await db
    .updateTable('conversation_offers')
    .set({ ring_until: null })
    .where('id', '=', offerId)
    .where('state', '=', 'ringing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
