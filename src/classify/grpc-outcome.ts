/**
 * How a finished gRPC call counts for its circuit.
 *
 * The lists of a method policy are compiled once into a table indexed by status code, so judging
 * a call is one array read. Precedence, first match wins:
 * 1. the caller cancelled the call itself → ignore (not the dependency's fault);
 * 2. `classify(error, ctx)` returning an outcome (only asked about non-OK statuses);
 * 3. DEADLINE_EXCEEDED caused by the interceptor's own `timeoutMs` → failure;
 * 4. the table: a code in `ignore` → ignore, in `failOn` → failure, any other → success.
 *    An explicit list beats a default one: `failOn: ['CANCELLED']` makes a server-sent CANCELLED a
 *    failure although CANCELLED is ignored by default; when both lists are given and share a
 *    code, `ignore` wins.
 */
import type { CallContext } from './call-context.js';
import type { Outcome } from '../core/types.js';
import {
  DEFAULT_GRPC_FAILURES,
  DEFAULT_GRPC_IGNORED,
  GRPC_STATUS,
  MAX_GRPC_STATUS,
  grpcStatusCode,
  type GrpcFailure,
} from './grpc-status.js';

/** The part of a method policy that decides outcomes. */
export interface GrpcClassification {
  failOn?: readonly GrpcFailure[];
  ignore?: readonly GrpcFailure[];
  classify?: (error: unknown, ctx: CallContext) => Outcome | undefined;
}

/** A final status as a classifier sees it. */
export interface GrpcFinalStatus {
  code: number;
  details: string;
  metadata?: unknown;
}

/** Gives the `CallContext` of the call being judged; asked only when `classify` is set. */
export interface CallContextSource {
  callContext(): CallContext;
}

/** Judges finished calls of one method. */
export interface GrpcOutcomeClassifier {
  /**
   * The outcome of a call that ended with `status`.
   * @param cancelledByCaller the caller cancelled the call (`call.cancel()`)
   * @param ownDeadline the deadline that expired was the one set from `timeoutMs`
   * @param source gives the `CallContext` for `classify`
   */
  judge(
    status: GrpcFinalStatus,
    cancelledByCaller: boolean,
    ownDeadline: boolean,
    source: CallContextSource,
  ): Outcome;
  /** The table's verdict for `code` alone (no `classify`, no deadline rule). */
  tableOutcome(code: number): Outcome;
}

/** Compiles a method's `failOn`/`ignore`/`classify` into a classifier. Inputs must be validated. */
export function createGrpcOutcomeClassifier(policy: GrpcClassification): GrpcOutcomeClassifier {
  const table = compileTable(policy);
  const classify = policy.classify;
  const unknown = table[GRPC_STATUS.UNKNOWN]!;
  const tableOutcome = (code: number): Outcome => table[code] ?? unknown;
  return {
    tableOutcome,
    judge(status, cancelledByCaller, ownDeadline, source) {
      if (cancelledByCaller) return 'ignore';
      if (classify && status.code !== GRPC_STATUS.OK) {
        const verdict = safeClassify(classify, status, source);
        if (verdict) return verdict;
      }
      if (ownDeadline && status.code === GRPC_STATUS.DEADLINE_EXCEEDED) return 'failure';
      return tableOutcome(status.code);
    },
  };
}

function compileTable(policy: GrpcClassification): Outcome[] {
  const table: Outcome[] = new Array<Outcome>(MAX_GRPC_STATUS + 1).fill('success');
  const fail = (policy.failOn ?? DEFAULT_GRPC_FAILURES).map((f) => grpcStatusCode(f));
  const ignore = (policy.ignore ?? DEFAULT_GRPC_IGNORED).map((f) => grpcStatusCode(f));
  // The list of lower precedence is written first, so that the other one overwrites it.
  const explicitFailOnly =
    policy.ignore === undefined &&
    // Stryker disable next-line ConditionalExpression: with neither list given the order does not matter, as the default lists share no code
    policy.failOn !== undefined;
  const write = (codes: number[], outcome: Outcome) => {
    for (const c of codes) table[c] = outcome;
  };
  if (explicitFailOnly) {
    write(ignore, 'ignore');
    write(fail, 'failure');
  } else {
    write(fail, 'failure');
    write(ignore, 'ignore');
  }
  return table;
}

/** The error object `classify` receives: like grpc-js's ServiceError (code, details, metadata). */
function statusError(status: GrpcFinalStatus): Error {
  const name = Object.keys(GRPC_STATUS)[status.code] ?? 'UNKNOWN';
  return Object.assign(new Error(`${status.code} ${name}: ${status.details}`), {
    code: status.code,
    details: status.details,
    metadata: status.metadata,
  });
}

function safeClassify(
  classify: NonNullable<GrpcClassification['classify']>,
  status: GrpcFinalStatus,
  source: CallContextSource,
): Outcome | undefined {
  try {
    const v = classify(statusError(status), source.callContext());
    return v === 'success' || v === 'failure' || v === 'ignore' ? v : undefined;
  } catch {
    // A classifier that throws must not break the call; count it as the dependency's failure.
    return 'failure';
  }
}
