/**
 * PresenceSlot: where the signed-in person's presence (available, busy, away) and the desks they
 * are serving will show, always visible in the header. Empty until presence and shifts exist.
 */
export function PresenceSlot() {
  return <div className="site-header__presence" data-slot="presence-and-desks" />;
}
