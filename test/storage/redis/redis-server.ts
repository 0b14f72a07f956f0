/**
 * A real `redis-server` for the tests, started on a free port with persistence off and killed
 * afterwards. When redis-server is not installed the tests may skip — only outside CI, and
 * loudly; under CI (`CI` set) a missing redis-server fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

/** Whether redis-server can be run here. */
export const redisAvailable = spawnSync('redis-server', ['--version']).status === 0;

/** True when the Redis tests must be skipped (no redis-server, not under CI); prints why. */
export function skipRedis(): boolean {
  if (redisAvailable) return false;
  if (process.env.CI)
    throw new Error('redis-server is not installed, and CI is set: Redis tests cannot be skipped');
  console.warn(
    '\n!!!!!!!! redis-server is not installed: the Redis tests are SKIPPED (apt-get install redis-server) !!!!!!!!\n',
  );
  return true;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Servers still running: killed when this process exits, even if a test's cleanup did not run. */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/** A redis-server process on 127.0.0.1. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /** Starts a server on `port` (default: a free one) with `extraArgs` added to its command line. */
  static async start(port?: number, extraArgs: readonly string[] = []): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), extraArgs);
    await server.launch();
    return server;
  }

  /**
   * Starts a server that also listens with TLS on `tlsPort` (plain `port` stays on for its
   * readiness check), with the self-signed certificate of test/storage/redis/tls for 127.0.0.1.
   */
  static async startTls(): Promise<{ server: RedisServer; tlsPort: number; ca: Buffer }> {
    const dir = fileURLToPath(new URL('./tls/', import.meta.url));
    const tlsPort = await freePort();
    const server = await RedisServer.start(undefined, [
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      `${dir}server.crt`,
      '--tls-key-file',
      `${dir}server.key`,
      '--tls-ca-cert-file',
      `${dir}server.crt`,
      '--tls-auth-clients',
      'no',
    ]);
    return { server, tlsPort, ca: readFileSync(`${dir}server.crt`) };
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A client with short reconnect delays, as a test wants. */
  client(): Redis {
    const c = new Redis(this.port, '127.0.0.1', {
      retryStrategy: () => 50,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    c.on('error', () => {});
    return c;
  }

  /** Starts the process (again, on the same port) and waits until it answers. */
  async launch(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    const child = this.child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    for (let i = 0; i < 250; i++) {
      if (await this.answersPing()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  /** One PING over a plain socket: true on +PONG. */
  private answersPing(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    });
  }

  /** Whether the process is alive (possibly paused). */
  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Kills the process at once (SIGKILL). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP / SIGCONT: a server that hangs without closing its sockets. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
  }
}
