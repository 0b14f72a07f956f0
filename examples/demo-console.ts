/**
 * What both demos print about their counters, and `--serve`: keeping the status page up after
 * the timeline until Ctrl-C.
 */
import type { Server } from 'node:http';

/** True when the demo was started with `--serve` (`npm run demo -- --serve`). */
export const SERVE = process.argv.includes('--serve');

/** The legend of the per-second table. */
export function printCounterLegend(rejected: string): void {
  console.log(
    [
      'Each line covers the last second. sent: calls started in that second. The other columns',
      'count the answers that arrived in that second, however long ago their call was sent:',
      '  ok           answered by the server',
      '  cached       answered from the last-known-good cache (reads only)',
      `  fast-failed  answered at once by the open circuit (${rejected}), never sent`,
      '  failed       failed at the server, or ended by the 250 ms deadline',
      'So a row need not add up to its sent: a call sent late in one second is answered in the',
      'next, and while the server hangs answers come only from deadlines, 250 ms later. The totals',
      'at the end add up: every call sent got exactly one answer.',
      '',
    ].join('\n'),
  );
}

/**
 * With `--serve`, keeps `status` (the status page) up until Ctrl-C, then resolves; otherwise
 * resolves at once.
 */
export async function serveUntilInterrupted(status: Server, url: string): Promise<void> {
  if (!SERVE) return;
  console.log(`\nThe status page stays up at ${url} — press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  status.closeAllConnections();
}
