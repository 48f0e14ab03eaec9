/**
 * The span of a post in which its delivery lease keeps the presence grace (Store.beginSideEffect to
 * Store.endSideEffect): only while a second holder could post twice. It begins at the surface's first
 * checkpoint, which a surface makes right before anything becomes visible (until then a successor
 * would repeat only an upload nobody sees), and ends once the surface returned with every checkpoint
 * recorded, when a successor's `findDelivery` would find all of it. A surface that cannot find a
 * delivery again keeps the grace from before it is called to the end of the step.
 */
import type { HeldLease } from './held-lease.js';
import type { DeliveryProgress } from './surface.js';

export class PostGrace {
  private begun = false;
  /** Whether every fact the surface reported is recorded (a surface may go on past a failed one). */
  private factsRecorded = true;

  constructor(
    private readonly held: HeldLease,
    private readonly findable: boolean,
  ) {}

  /** Before the surface is called. */
  async start(): Promise<void> {
    if (!this.findable) await this.begin();
  }

  /** The surface's progress: each checkpoint is recorded by `record`, and the first begins the grace. */
  progress(record: (facts: Readonly<Record<string, string>>) => Promise<void>): DeliveryProgress {
    return {
      checkpoint: async (facts) => {
        this.factsRecorded = false;
        await record(facts);
        this.factsRecorded = true;
        await this.begin();
      },
    };
  }

  /** The surface returned: the post is done. */
  async posted(): Promise<void> {
    if (this.factsRecorded && this.findable) await this.held.endSideEffect();
  }

  private async begin(): Promise<void> {
    if (this.begun) return;
    await this.held.beginSideEffect();
    this.begun = true;
  }
}
