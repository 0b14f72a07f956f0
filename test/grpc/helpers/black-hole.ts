/**
 * A TCP peer that accepts connections and never answers: what a hung process or a stuck proxy
 * looks like to a gRPC client. Without a deadline a call to it never ends.
 */
import { createServer, type Server, type Socket } from 'node:net';

export class BlackHole {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** The port it listens on. */
    readonly port: number,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<BlackHole> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
    return new BlackHole(server, port);
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** How many connections it accepted and holds. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Destroys every held connection and stops listening. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A 127.0.0.1 address where nothing listens (a port just freed). */
export async function closedAddress(): Promise<string> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
