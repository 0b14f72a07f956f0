/**
 * A real Redis Cluster (3 masters, 1 replica each) and a real Sentinel set (1 master, 1
 * replica, 3 sentinels) for the tests, on free 127.0.0.1 ports, with Debian's redis-server and
 * redis-sentinel. Fast to start and to fail over: cluster-node-timeout and Sentinel's
 * down-after-milliseconds are 1 s. Every process is SIGKILLed and every temp dir removed when
 * `stop()` runs, and again when this process exits (a test that failed half-way included).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';

/** Whether redis-sentinel can be run here. */
export const sentinelAvailable = spawnSync('redis-sentinel', ['--version']).status === 0;

const processes = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  processes.forEach((c) => c.kill('SIGKILL'));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
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

/** One redis-server or redis-sentinel process. */
export class Node {
  constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /** Spawns `command args` and waits until `port` answers PING. */
  static async spawn(command: string, args: string[], port: number): Promise<Node> {
    const child = spawn(command, args, { stdio: 'ignore' });
    processes.add(child);
    child.once('exit', () => processes.delete(child));
    for (let i = 0; i < 250; i++) {
      if (await answersPing(port)) return new Node(port, child);
      if (child.exitCode !== null) break;
      await sleep(20);
    }
    child.kill('SIGKILL');
    throw new Error(`${command} did not answer on port ${port}`);
  }

  /** SIGKILL, resolved once the process has exited. */
  async kill(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  /** A plain client to this node (admin commands). */
  admin(): Redis {
    const c = new Redis(this.port, '127.0.0.1', { retryStrategy: () => null, lazyConnect: true });
    c.on('error', () => {});
    return c;
  }
}

function tempDir(kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rpc-breaker-${kind}-`));
  dirs.add(dir);
  return dir;
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** One row of CLUSTER SLOTS: first slot, last slot, master [host, port, …]. */
type SlotRow = [number, number, [string, number]];

// Replicas sync at once (Redis 7 waits 5 s by default before a diskless sync): a replica that
// never synced refuses to take over from its master.
const BASE = [
  ...['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  ...['--repl-diskless-sync-delay', '0'],
];

/** Waits until every replica among `nodes` reports its link to its master up. */
async function waitReplicasSynced(nodes: Node[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const n of nodes) {
    const c = n.admin();
    try {
      for (;;) {
        const info = String(await c.info('replication'));
        if (!info.includes('role:slave') || info.includes('master_link_status:up')) break;
        if (Date.now() > deadline) throw new Error(`replica ${n.port} did not sync in time`);
        await sleep(50);
      }
    } finally {
      c.disconnect();
    }
  }
}

/** A 3-master Redis Cluster with one replica per master. */
export class RedisClusterSet {
  private constructor(
    readonly nodes: Node[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisClusterSet> {
    const dir = tempDir('cluster');
    const ports = await Promise.all(Array.from({ length: 6 }, freePort));
    const nodes: Node[] = [];
    const set = new RedisClusterSet(nodes, dir);
    try {
      for (const port of ports) {
        const args = [
          ...['--port', String(port), ...BASE, '--dir', dir, '--cluster-enabled', 'yes'],
          ...['--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '1000'],
        ];
        nodes.push(await Node.spawn('redis-server', args, port));
      }
      const created = spawnSync(
        'redis-cli',
        [
          ...['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`)],
          ...['--cluster-replicas', '1', '--cluster-yes'],
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      if (created.status !== 0) throw new Error(`cluster create failed: ${created.stdout}`);
      await set.waitOk();
      await waitReplicasSynced(nodes);
      return set;
    } catch (error) {
      await set.stop();
      throw error;
    }
  }

  /** A Cluster client with short retry delays, starting from node `first`. */
  client(first = 0): Cluster {
    const c = new Cluster(
      [this.nodes[first % this.nodes.length]!, ...this.nodes].map((n) => ({
        host: '127.0.0.1',
        port: n.port,
      })),
      {
        clusterRetryStrategy: () => 50,
        retryDelayOnFailover: 50,
        retryDelayOnClusterDown: 50,
        slotsRefreshTimeout: 500,
        redisOptions: { maxRetriesPerRequest: 1, retryStrategy: () => 50 } as never,
      },
    );
    c.on('error', () => {});
    return c;
  }

  /** Waits until every live node reports `cluster_state:ok` and sees the same slot owners. */
  async waitOk(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.allOk()) return;
      await sleep(100);
    }
    throw new Error('cluster not ok in time');
  }

  private async allOk(): Promise<boolean> {
    const live = await this.liveNodes();
    const views = await Promise.all(
      live.map(async (n) => {
        const c = n.admin();
        try {
          const info = (await c.cluster('INFO')) as string;
          if (!info.includes('cluster_state:ok')) return undefined;
          const slots = (await c.cluster('SLOTS')) as unknown as SlotRow[];
          return JSON.stringify(slots.map(([a, b, m]) => [a, b, m[1]]).sort());
        } catch {
          return undefined;
        } finally {
          c.disconnect();
        }
      }),
    );
    return views.length > 0 && views.every((v) => v !== undefined && v === views[0]);
  }

  private async liveNodes(): Promise<Node[]> {
    const alive = await Promise.all(this.nodes.map((n) => answersPing(n.port)));
    return this.nodes.filter((_, i) => alive[i]);
  }

  /** The live node currently serving `slot` as master. */
  async masterOf(slot: number): Promise<Node> {
    const [n] = await this.liveNodes();
    const c = n!.admin();
    try {
      const slots = (await c.cluster('SLOTS')) as unknown as SlotRow[];
      const owner = slots.find(([a, b]) => slot >= a && slot <= b);
      const node = this.nodes.find((x) => x.port === owner?.[2][1]);
      if (!node) throw new Error(`no master for slot ${slot}`);
      return node;
    } finally {
      c.disconnect();
    }
  }

  /** The live masters. */
  async masters(): Promise<Node[]> {
    const [n] = await this.liveNodes();
    const c = n!.admin();
    try {
      const slots = (await c.cluster('SLOTS')) as unknown as SlotRow[];
      const ports = new Set(slots.map((s) => s[2][1]));
      return this.nodes.filter((x) => ports.has(x.port));
    } finally {
      c.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    removeDir(this.dir);
  }
}

/** One master, one replica and three sentinels monitoring them as `mymaster`. */
export class SentinelSet {
  static readonly NAME = 'mymaster';

  private constructor(
    readonly master: Node,
    readonly replica: Node,
    readonly sentinels: Node[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<SentinelSet> {
    const dir = tempDir('sentinel');
    const [mp, rp, ...sp] = await Promise.all(Array.from({ length: 5 }, freePort));
    const started: Node[] = [];
    try {
      // --dir: a replica writes the RDB it receives there, not in the working directory.
      const dirArgs = ['--dir', dir];
      const masterArgs = ['--port', String(mp), ...BASE, ...dirArgs];
      const master = await Node.spawn('redis-server', masterArgs, mp!);
      started.push(master);
      const replicaArgs = [
        ...['--port', String(rp), ...BASE, ...dirArgs],
        ...['--replicaof', '127.0.0.1', String(mp)],
      ];
      const replica = await Node.spawn('redis-server', replicaArgs, rp!);
      started.push(replica);
      const sentinels: Node[] = [];
      for (const port of sp) {
        const conf = join(dir, `sentinel-${port}.conf`);
        writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${SentinelSet.NAME} 127.0.0.1 ${mp} 2`,
            `sentinel down-after-milliseconds ${SentinelSet.NAME} 1000`,
            `sentinel failover-timeout ${SentinelSet.NAME} 3000`,
            `sentinel parallel-syncs ${SentinelSet.NAME} 1`,
            '',
          ].join('\n'),
        );
        const s = await Node.spawn('redis-sentinel', [conf], port);
        started.push(s);
        sentinels.push(s);
      }
      await waitReplicasSynced([replica]);
      return new SentinelSet(master, replica, sentinels, dir);
    } catch (error) {
      await Promise.all(started.map((n) => n.kill()));
      removeDir(dir);
      throw error;
    }
  }

  /** A Sentinel-managed client with short retry delays. */
  client(): Redis {
    const c = new Redis({
      sentinels: this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: SentinelSet.NAME,
      retryStrategy: () => 50,
      sentinelRetryStrategy: () => 50,
      maxRetriesPerRequest: 1,
    });
    c.on('error', () => {});
    return c;
  }

  async stop(): Promise<void> {
    await Promise.all([this.master, this.replica, ...this.sentinels].map((n) => n.kill()));
    removeDir(this.dir);
  }
}
