/**
 * The order in which one replica takes up jobs that every replica sees at once (finished renders to
 * deliver). Every replica is woken by the same event and reads the same list; oldest first, all of
 * them would reach for the same jobs and all but one would lose each lease race (about two lost races
 * per job with three replicas). Within the oldest few, each replica goes in its own order instead:
 * rendezvous hashing of (replica, job), so they mostly reach for different jobs. Beyond that window
 * the list stays oldest first, so a backlog still drains in age order.
 */
export function spreadAmongReplicas(ids: readonly string[], instanceId: string, window: number): string[] {
  const head = ids.slice(0, window);
  const weights = new Map(head.map((id) => [id, fnv1a(`${instanceId}\u0000${id}`)]));
  head.sort((a, b) => weights.get(b)! - weights.get(a)!);
  return [...head, ...ids.slice(window)];
}

/** 32-bit FNV-1a: cheap, and spread well enough to give each replica a different order. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
