/**
 * Child processes of the Redis tests: small tsx scripts driven over IPC. Every process started
 * here is remembered until it exits, so a test's cleanup can stop them all — also those whose
 * start failed or timed out — and the scripts exit by themselves when the IPC channel closes
 * (the test process died), so none outlives its test run.
 */
import { fork, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

/** One child process running a test script. */
export class Child {
  private constructor(private readonly child: ChildProcess) {}

  /**
   * Runs `script` with `args` under tsx; resolves once the script sends its first message
   * (it is ready).
   * @throws Error when it exits first or is not ready within `readyTimeoutMs`
   */
  static async start(script: string, args: string[], readyTimeoutMs = 10_000): Promise<Child> {
    const child = fork(script, args, {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} not ready within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (code ${code}) before it was ready`));
      });
    });
    return new Child(child);
  }

  /**
   * Sends `message` and resolves with the child's next message.
   * @throws Error when no answer comes within `timeoutMs`
   */
  ask<T>(message: object, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', answer);
        reject(new Error(`no answer to ${JSON.stringify(message)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const answer = (reply: unknown) => {
        clearTimeout(timer);
        resolve(reply as T);
      };
      this.child.once('message', answer);
      this.child.send(message);
    });
  }

  /** Kills the child at once (SIGKILL): it leaves without closing anything. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Asks the child to exit; kills it after 2 s. */
  stop(): Promise<void> {
    return stop(this.child);
  }

  /** Stops every child process started here that is still running. */
  static async stopAll(): Promise<void> {
    await Promise.all(Array.from(live, stop));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    child.send({ cmd: 'exit' });
  } catch {
    // the channel is already closed: the kill below ends it
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}
