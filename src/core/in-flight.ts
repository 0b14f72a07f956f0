/**
 * Calls in flight, oldest first, so that a call stuck longer than `slowCallMs` counts as slow
 * while it is still running — a hung dependency then trips the slow-call rate before any deadline
 * passes.
 *
 * Calls start in clock order, so appending each new call keeps the list sorted by start time.
 * A cursor points at the oldest call not yet marked slow; `markSlow(now)` walks it forward over
 * every call older than the threshold. Each call is passed by the cursor at most once and
 * unlinked in O(1) when it finishes, so the cost is O(1) amortised per call, with no timer.
 */

/** One tracked call; the circuit's permits extend this. */
export class InFlightNode {
  prev: InFlightNode | null = null;
  next: InFlightNode | null = null;
  /** Whether the call has been counted as slow while in flight. */
  markedSlow = false;
  /** Whether the node is currently in a list. */
  linked = false;

  constructor(readonly startedAt: number) {}
}

export class InFlightList {
  private head: InFlightNode | null = null;
  private tail: InFlightNode | null = null;
  private cursor: InFlightNode | null = null;
  /** Calls still running that have already passed the slow threshold. */
  slowCount = 0;

  /** Appends a call that has just started. */
  push(node: InFlightNode): void {
    node.prev = this.tail;
    node.next = null;
    node.linked = true;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    if (!this.cursor) this.cursor = node;
  }

  /** Removes a finished call; returns whether it had been counted as slow. */
  remove(node: InFlightNode): boolean {
    if (!node.linked) return false;
    if (this.cursor === node) this.cursor = node.next;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    node.linked = false;
    if (node.markedSlow) this.slowCount--;
    return node.markedSlow;
  }

  /** Marks every call that started at or before `now - slowMs` as slow; returns `slowCount`. */
  markSlow(now: number, slowMs: number): number {
    while (this.cursor && now - this.cursor.startedAt >= slowMs) {
      this.cursor.markedSlow = true;
      this.slowCount++;
      this.cursor = this.cursor.next;
    }
    return this.slowCount;
  }

  /** Forgets every call (after a state change); their later completion is ignored here. */
  clear(): void {
    for (let n = this.head; n;) {
      const next = n.next;
      n.prev = n.next = null;
      n.linked = false;
      n = next;
    }
    this.head = this.tail = this.cursor = null;
    this.slowCount = 0;
  }
}
