/** A typed set of listeners; registering returns a handle that removes the listener. */
import { disposableHandle, type DisposableHandle } from '../core/disposable.js';

export class ListenerSet<E> {
  private listeners: Array<(event: E) => void> = [];
  private warned = false;

  /** Whether anybody listens (callers skip building an event when nobody does). */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  /** Adds `listener`; dispose the result (or let `using` do it) to remove it. */
  add(listener: (event: E) => void): DisposableHandle {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.listeners = [...this.listeners, listener];
    return disposableHandle(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  }

  /**
   * Calls every listener with `event`. A listener that throws cannot break the call that
   * emitted the event: the error is reported once as a process warning and otherwise ignored.
   */
  emit(event: E): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (error) {
        if (!this.warned) {
          this.warned = true;
          process.emitWarning(
            `rpc-breaker: an event listener threw: ${String(error)}`,
            'RpcBreakerWarning',
          );
        }
      }
    }
  }
}
