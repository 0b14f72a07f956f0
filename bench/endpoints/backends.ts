/**
 * The parent's side of the benchmark's backends: starts `BACKENDS` backend processes
 * (backend.ts, each serving gRPC and Thrift), switches the sick one's fault mode over IPC, stops
 * it (SIGSTOP) for the black hole, and shuts every process down. Bounded: a backend that does not
 * start within 30 s, or does not acknowledge a mode within 5 s, fails the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long a healthy backend takes to answer, ms (the healthy p50). */
export const HEALTHY_MS = 10;
/** How long a slow backend takes to answer, ms (the healthy p50 × 20). */
export const SLOW_MS = HEALTHY_MS * 20;
/** How many backends sit behind each client. */
export const BACKENDS = 4;
/** Index of the backend that goes through the phases. */
export const SICK = 1;

/** A backend's fault mode (see backend.ts). */
export type BackendMode = 'ok' | 'errors' | 'half-errors' | 'hung' | 'slow';

/** One running backend process. */
export interface Backend {
  /** `b0`, `b1`, … (what its replies carry). */
  readonly id: string;
  /** `127.0.0.1:<port>` of its gRPC server. */
  readonly grpcAddress: string;
  readonly thriftPort: number;
  readonly child: ChildProcess;
}

const script = fileURLToPath(new URL('./backend.ts', import.meta.url));

function start(id: string): Promise<Backend> {
  const child = fork(script, [id], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`backend ${id} did not start in 30 s`)),
      30_000,
    );
    child.once('exit', (code) => reject(new Error(`backend ${id} exited (${code})`)));
    child.once('message', (m: { grpcPort: number; thriftPort: number }) => {
      clearTimeout(timer);
      resolve({ id, grpcAddress: `127.0.0.1:${m.grpcPort}`, thriftPort: m.thriftPort, child });
    });
  });
}

/** Starts the backends in parallel. */
export function startBackends(): Promise<Backend[]> {
  return Promise.all(Array.from({ length: BACKENDS }, (_, i) => start(`b${i}`)));
}

/** Switches `b`'s fault mode; resolves when the backend has acknowledged it. */
export function setMode(b: Backend, mode: BackendMode): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${b.id} did not take mode ${mode}`)), 5_000);
    b.child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    b.child.send({ mode });
  });
}

/** Black hole on (SIGSTOP: connections stay accepted, nothing is read or answered) or off. */
export function blackHole(b: Backend, on: boolean): void {
  b.child.kill(on ? 'SIGSTOP' : 'SIGCONT');
}

/** Resumes and disconnects every backend (each exits when its IPC channel closes). */
export function stopBackends(backends: Backend[]): void {
  for (const b of backends) {
    b.child.kill('SIGCONT');
    if (b.child.connected) b.child.disconnect();
  }
}
