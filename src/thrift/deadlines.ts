/**
 * Call deadlines without a timer per call.
 *
 * Calls with the same timeout expire in the order they started, so each distinct timeout keeps
 * its pending calls in a FIFO: a doubly-linked list threaded through the calls themselves, where
 * adding and removing are O(1) and allocate nothing. One timer per list is armed for its oldest
 * call. The timer is not cleared when calls finish early — that would cost a timer per call
 * again — it fires at the old head's deadline, expires whatever is due and re-arms for the new
 * head, or stops when the list is empty. It is unref'd: a pending call always has a socket that
 * keeps the process alive, and an idle wrapper must not.
 */

import { timerDelayMs } from '../core/timer-delay.js';

/** A pending call as a deadline list holds it. */
export interface DeadlineNode {
  /** Absolute deadline, `performance.now()` ms. */
  deadline: number;
  prevDeadline: DeadlineNode | undefined;
  nextDeadline: DeadlineNode | undefined;
  /** The list holding the node, while it is pending. */
  deadlineList: DeadlineList | undefined;
  /** Called once when the deadline passes while the node is still in its list. */
  expire(): void;
}

/** The calls pending with one timeout, oldest first. */
export class DeadlineList {
  private head: DeadlineNode | undefined;
  private tail: DeadlineNode | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Adds `node`, due `timeoutMs` from now. */
  add(node: DeadlineNode, now: number): void {
    node.deadline = now + this.timeoutMs;
    node.deadlineList = this;
    node.prevDeadline = this.tail;
    node.nextDeadline = undefined;
    if (this.tail) this.tail.nextDeadline = node;
    else this.head = node;
    this.tail = node;
    if (!this.timer) this.arm(this.timeoutMs);
  }

  /** Removes `node` (a no-op when it is not in this list). */
  remove(node: DeadlineNode): void {
    if (node.deadlineList !== this) return;
    const { prevDeadline: prev, nextDeadline: next } = node;
    if (prev) prev.nextDeadline = next;
    else this.head = next;
    if (next) next.prevDeadline = prev;
    else this.tail = prev;
    node.prevDeadline = node.nextDeadline = node.deadlineList = undefined;
  }

  private arm(ms: number): void {
    // setTimeout fires at once for delays beyond 2^31 - 1 ms; a longer deadline re-arms.
    this.timer = setTimeout(() => this.fire(), timerDelayMs(Math.max(1, Math.ceil(ms))));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    // Node may fire a timer up to a millisecond early by performance.now(); allow for it.
    const now = performance.now() + 1;
    let node = this.head;
    while (node && node.deadline <= now) {
      this.remove(node);
      node.expire();
      node = this.head;
    }
    if (this.head) this.arm(this.head.deadline - performance.now());
  }
}

/** Deadline lists by timeout, for the calls of one wrapped client. */
export class Deadlines {
  private readonly lists = new Map<number, DeadlineList>();

  /** Adds `node`, due in `timeoutMs`. */
  add(node: DeadlineNode, timeoutMs: number): void {
    let list = this.lists.get(timeoutMs);
    if (!list) {
      list = new DeadlineList(timeoutMs);
      // Retries leave odd remaining times; a few hundred lists are plenty, forget the idle ones.
      if (this.lists.size >= 256) this.lists.clear();
      this.lists.set(timeoutMs, list);
    }
    list.add(node, performance.now());
  }

  /** Removes `node` from whichever list holds it. */
  remove(node: DeadlineNode): void {
    node.deadlineList?.remove(node);
  }
}
