/** A Catalog server in a child process (catalog-main.ts) that a test can SIGKILL mid-call. */
import { fileURLToPath } from 'node:url';
import { LineChild } from '../../child-process.js';
import type { Behaviour, WireKind } from '../helpers/catalog-server.js';

const main = fileURLToPath(new URL('./catalog-main.ts', import.meta.url));

export class ChildCatalog {
  private constructor(private readonly proc: LineChild) {}

  /** The port it listens on. */
  get port(): number {
    return this.proc.port;
  }

  /** Spawns a server of `kind` (on `port`, or a free one) and waits until it listens. */
  static async start(kind: WireKind, port = 0): Promise<ChildCatalog> {
    return new ChildCatalog(await LineChild.start(main, [kind, String(port)]));
  }

  /** Sets the behaviour of every method. */
  async set(b: Behaviour): Promise<void> {
    await this.proc.ask(JSON.stringify(b));
  }

  /** Calls of `method` that reached it. */
  async count(method = 'getItem'): Promise<number> {
    return Number((await this.proc.ask(`count ${method}`)).split(' ')[1]);
  }

  /** SIGKILL, as a crash; resolves once the process has exited. */
  kill(): Promise<void> {
    return this.proc.kill();
  }
}
