/**
 * A dependency for fleet tests, and one network path to it per member: an HTTP server on
 * 127.0.0.1 that answers 200 (or 500 while `sick`), and TCP proxies in front of it that can be
 * broken (every connection, open or new, is reset), as a member's own bad route would be.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';

/** The dependency: 200 while healthy, 500 while sick; counts the requests it received. */
export class Dependency {
  sick = false;
  requests = 0;
  port = 0;
  private readonly server: Server = createHttpServer((_req, res) => {
    this.requests++;
    res.writeHead(this.sick ? 500 : 200, { 'content-length': '2' });
    res.end('ok');
  });

  static async start(): Promise<Dependency> {
    const dep = new Dependency();
    await new Promise<void>((r) => dep.server.listen(0, '127.0.0.1', r));
    dep.port = (dep.server.address() as { port: number }).port;
    return dep;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A TCP path to `targetPort`; `broken` resets every connection through it. */
export class FaultyPath {
  port = 0;
  private isBroken = false;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((inbound) => {
    if (this.isBroken) return inbound.resetAndDestroy();
    const outbound = connect(this.targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<FaultyPath> {
    const path = new FaultyPath(targetPort);
    await new Promise<void>((r) => path.server.listen(0, '127.0.0.1', r));
    path.port = (path.server.address() as { port: number }).port;
    return path;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Breaks the path: open connections are reset, new ones too. */
  break(): void {
    this.isBroken = true;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  /** Mends the path. */
  mend(): void {
    this.isBroken = false;
  }

  close(): Promise<void> {
    this.break();
    return new Promise((r) => this.server.close(() => r()));
  }
}
