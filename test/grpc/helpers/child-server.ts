/** A TestServer in a child process, which a test can kill outright (SIGKILL) mid-call. */
import { fileURLToPath } from 'node:url';
import { LineChild } from '../../child-process.js';
import type { Behaviour } from './test-server.js';

const main = fileURLToPath(new URL('./server-main.ts', import.meta.url));

export class ChildServer {
  private constructor(private readonly proc: LineChild) {}

  /** The port the child listens on. */
  get port(): number {
    return this.proc.port;
  }

  /**
   * Spawns the server and waits until it listens.
   * @param opts.health also serve grpc.health.v1.Health/Check (see `setHealth`)
   */
  static async start(id = 'child', opts: { health?: boolean } = {}): Promise<ChildServer> {
    return new ChildServer(await LineChild.start(main, [id, ...(opts.health ? ['health'] : [])]));
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Sends `signal` to the process (e.g. SIGSTOP: a black hole that still accepts TCP; SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    this.proc.signal(signal);
  }

  /** Sets the behaviour of every method. */
  set(b: Behaviour): Promise<void> {
    return this.proc.ask(JSON.stringify(b)).then(() => undefined);
  }

  /** Sets what Health/Check answers (`SERVING`, `NOT_SERVING`, …); needs `health` at start. */
  setHealth(status: string): Promise<void> {
    return this.proc.ask(`health ${status}`).then(() => undefined);
  }

  /** Health checks that reached the server. */
  async healthChecks(): Promise<number> {
    return Number((await this.proc.ask('checks')).split(' ')[1]);
  }

  /** Calls that reached the server. */
  async count(): Promise<number> {
    return Number((await this.proc.ask('count')).split(' ')[1]);
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void> {
    return this.proc.kill();
  }
}
