/** A Catalog server in a child process (catalog-main.ts) that a test can SIGKILL mid-call. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Behaviour, WireKind } from '../helpers/catalog-server.js';

const main = fileURLToPath(new URL('./catalog-main.ts', import.meta.url));

export class ChildCatalog {
  private readonly waiters: Array<(line: string) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    /** The port it listens on. */
    readonly port: number,
  ) {
    lines.on('line', (l) => this.waiters.shift()?.(l));
  }

  /** Spawns a server of `kind` (on `port`, or a free one) and waits until it listens. */
  static async start(kind: WireKind, port = 0): Promise<ChildCatalog> {
    const child = spawn(process.execPath, ['--import', 'tsx', main, kind, String(port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const bound = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      lines.once('line', (l) => resolve(Number(l.split(' ')[1])));
    });
    return new ChildCatalog(child, lines, bound);
  }

  /** Sets the behaviour of every method. */
  async set(b: Behaviour): Promise<void> {
    await this.ask(JSON.stringify(b));
  }

  /** Calls of `method` that reached it. */
  async count(method = 'getItem'): Promise<number> {
    return Number((await this.ask(`count ${method}`)).split(' ')[1]);
  }

  /** SIGKILL, as a crash; resolves once the process has exited. */
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
