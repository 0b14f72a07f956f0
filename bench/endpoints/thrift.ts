/**
 * The Thrift half of the endpoints benchmark: the same four backends (their Thrift ports), the
 * same phases and load, `round-robin` (bare npm thrift over four connections) against
 * `rpc-breaker-hosts` (the multi-host client). Run by run.ts;
 * can run alone: npx tsx bench/endpoints/thrift.ts (prints, writes nothing).
 */
import { isMain } from '../harness.js';
import { startBackends, stopBackends, type Backend } from './backends.js';
import { markdownTable } from './report.js';
import { runSide, type SideRun } from './side.js';
import { THRIFT_CONTENDERS, thriftContender } from './thrift-contenders.js';

/** Runs the Thrift contenders through every phase against `backends`. */
export function runThrift(backends: Backend[]): Promise<SideRun> {
  return runSide('Thrift', THRIFT_CONTENDERS, backends, (name) => thriftContender(name, backends));
}

if (isMain(import.meta.url)) {
  const backends = await startBackends();
  try {
    console.log(markdownTable((await runThrift(backends)).results));
  } finally {
    stopBackends(backends);
  }
}
