/** A TestServer in a child process, which a test can kill outright (SIGKILL) mid-call. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface, type Interface } from 'node:readline';
import type { Behaviour } from './test-server.js';

const main = fileURLToPath(new URL('./server-main.ts', import.meta.url));

export class ChildServer {
  private readonly waiters: Array<(line: string) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    /** The port the child listens on. */
    readonly port: number,
  ) {
    lines.on('line', (l) => this.waiters.shift()?.(l));
  }

  /**
   * Spawns the server and waits until it listens.
   * @param opts.health also serve grpc.health.v1.Health/Check (see `setHealth`)
   */
  static async start(id = 'child', opts: { health?: boolean } = {}): Promise<ChildServer> {
    const args = ['--import', 'tsx', main, id, ...(opts.health ? ['health'] : [])];
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      lines.once('line', (l) => resolve(Number(l.split(' ')[1])));
    });
    return new ChildServer(child, lines, port);
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Sends `signal` to the process (e.g. SIGSTOP: a black hole that still accepts TCP; SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Sets the behaviour of every method. */
  set(b: Behaviour): Promise<void> {
    return this.ask(JSON.stringify(b)).then(() => undefined);
  }

  /** Sets what Health/Check answers (`SERVING`, `NOT_SERVING`, …); needs `health` at start. */
  setHealth(status: string): Promise<void> {
    return this.ask(`health ${status}`).then(() => undefined);
  }

  /** Health checks that reached the server. */
  async healthChecks(): Promise<number> {
    return Number((await this.ask('checks')).split(' ')[1]);
  }

  /** Calls that reached the server. */
  async count(): Promise<number> {
    return Number((await this.ask('count')).split(' ')[1]);
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
    this.lines.close();
  }

  private ask(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.child.stdin!.write(`${line}\n`);
    });
  }
}
