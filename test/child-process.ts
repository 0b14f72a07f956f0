/**
 * A test server in a child process that a test can kill outright (SIGKILL) or stop (SIGSTOP)
 * mid-call. The child prints `listening <port>` once it listens, then answers each line written
 * to its stdin with one line (a command and its answer, in order).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

export class LineChild {
  private readonly waiters: Array<(line: string) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    /** The port the child listens on. */
    readonly port: number,
  ) {
    lines.on('line', (l) => this.waiters.shift()?.(l));
  }

  /** Spawns `script` (run through tsx) with `args` and waits until it listens. */
  static async start(script: string, args: readonly string[]): Promise<LineChild> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      lines.once('line', (l) => resolve(Number(l.split(' ')[1])));
    });
    return new LineChild(child, lines, port);
  }

  /** Writes `line` and resolves with the child's answer. */
  ask(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.child.stdin!.write(`${line}\n`);
    });
  }

  /** Sends `signal` to the process (e.g. SIGSTOP: a black hole that still accepts TCP; SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills the process at once (SIGKILL), as a crash would; resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
    this.lines.close();
  }
}
