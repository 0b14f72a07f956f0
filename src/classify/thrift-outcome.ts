/**
 * How a failed Thrift call counts for its circuit. A reply always counts as a success; a rejection
 * is judged, first match wins:
 * 1. `classify(error, ctx)` returning an outcome (a classifier that throws counts as a failure);
 * 2. an entry of `ignore` matching the error (its category, or a class it is an instance of);
 * 3. an entry of `failOn` (default: transport, timeout, application, protocol) → failure;
 * 4. anything else (by default: declared IDL exceptions) → success, since the server answered.
 * `ignore` is checked first so that a list like `failOn: ['declared'], ignore: [NotFound]` counts
 * every declared exception but `NotFound`.
 */
import type { CallContext } from './call-context.js';
import type { Outcome } from '../core/types.js';
import {
  DEFAULT_THRIFT_FAILURES,
  matchesThriftFailure,
  thriftFailureCategory,
  type ThriftFailure,
  type ThriftFailureCategory,
} from './thrift-errors.js';

/** The part of a method policy that decides outcomes. */
export interface ThriftClassification {
  failOn?: readonly ThriftFailure[];
  ignore?: readonly ThriftFailure[];
  classify?: (error: unknown, ctx: CallContext) => Outcome | undefined;
}

/** Judges failed calls of one method. */
export interface ThriftOutcomeClassifier {
  /**
   * The outcome of a call that rejected with `error`.
   * @param ctx gives the `CallContext` for `classify`; asked only when `classify` is set
   */
  judge(error: unknown, ctx: () => CallContext): Outcome;
}

/** Compiles a method's `failOn`/`ignore`/`classify` into a classifier. Inputs must be validated. */
export function createThriftOutcomeClassifier(
  policy: ThriftClassification,
): ThriftOutcomeClassifier {
  const failOn = policy.failOn ?? DEFAULT_THRIFT_FAILURES;
  // Stryker disable next-line ArrayDeclaration: an entry that is neither a category nor a class matches nothing
  const ignore = policy.ignore ?? [];
  const classify = policy.classify;
  const matches = (list: readonly ThriftFailure[], error: unknown, c: ThriftFailureCategory) => {
    for (const f of list) if (matchesThriftFailure(f, error, c)) return true;
    return false;
  };
  return {
    judge(error, ctx) {
      if (classify) {
        const verdict = safeClassify(classify, error, ctx);
        if (verdict) return verdict;
      }
      const category = thriftFailureCategory(error);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the length test only skips a loop over an empty list
      if (ignore.length > 0 && matches(ignore, error, category)) return 'ignore';
      return matches(failOn, error, category) ? 'failure' : 'success';
    },
  };
}

function safeClassify(
  classify: NonNullable<ThriftClassification['classify']>,
  error: unknown,
  ctx: () => CallContext,
): Outcome | undefined {
  try {
    const v = classify(error, ctx());
    return v === 'success' || v === 'failure' || v === 'ignore' ? v : undefined;
  } catch {
    // A classifier that throws must not break the call; count it as the dependency's failure.
    return 'failure';
  }
}
