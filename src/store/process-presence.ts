/**
 * Presence for a store whose only writer is this process (a SQLite file, held by its writer lock):
 * which owners declared themselves alive through a store that is still open here. An owner counts as
 * gone once every store it declared through has closed, so a lease it holds is free at once. Owners
 * never declared here (another process, such as the CLI) are unknown: their leases run to their TTL.
 */
export class ProcessPresence {
  /** Per file: owner -> how many open stores declared it. */
  private static readonly byFile = new Map<string, Map<string, number>>();

  private readonly declared = new Set<string>();

  constructor(private readonly file: string) {}

  declare(owner: string): void {
    if (this.declared.has(owner)) return;
    this.declared.add(owner);
    const owners = ProcessPresence.owners(this.file);
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
  }

  /** 'alive' while a store that declared it is open, 'gone' after, 'unknown' when never declared here. */
  static status(file: string, owner: string): 'alive' | 'gone' | 'unknown' {
    const count = ProcessPresence.byFile.get(file)?.get(owner);
    if (count === undefined) return 'unknown';
    return count > 0 ? 'alive' : 'gone';
  }

  /** The store closed: what it declared is gone (unless another open store declared it too). */
  end(): void {
    const owners = ProcessPresence.owners(this.file);
    for (const owner of this.declared) owners.set(owner, Math.max(0, (owners.get(owner) ?? 1) - 1));
    this.declared.clear();
  }

  private static owners(file: string): Map<string, number> {
    const owners = ProcessPresence.byFile.get(file) ?? new Map<string, number>();
    ProcessPresence.byFile.set(file, owners);
    return owners;
  }
}
