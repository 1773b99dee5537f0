/**
 * Errors of the domain, the store, the lifecycle and the use cases: a code saying what kind of
 * refusal it is, a Chinese message for the user, and optional field/row details. Nothing below
 * the HTTP layer knows about status codes; `shared/http/errors.ts` maps each code to one, once.
 */

export type DomainErrorCode =
  /** The input is wrong (names the field or row in `issues` when it can). */
  | 'invalid'
  /** Nobody is signed in where someone must be. */
  | 'unauthenticated'
  /** Signed in, but not allowed to do this (another department, not on the team, wrong role). */
  | 'forbidden'
  /** What the request names does not exist. */
  | 'notFound'
  /** The state does not allow it now (wrong stage, changed meanwhile, done already). */
  | 'conflict'
  /** It was possible once and no longer is (an expired or used link). */
  | 'tooLate'
  /** A write was interrupted; repeating the same request completes it. */
  | 'unavailable';

export interface DomainErrorOptions {
  /** Per-field (or per-row) problems; the API returns them as `issues`. */
  issues?: readonly { field: string; message: string }[];
  /** Anything else the caller may show (returned as `details`). */
  details?: unknown;
  /**
   * A name more specific than the code that clients may rely on (the API's `error` field);
   * without it the code's general name is used.
   */
  reason?: string;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly issues: readonly { field: string; message: string }[] | undefined;
  readonly details: unknown;
  readonly reason: string | undefined;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    opts: DomainErrorOptions = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'DomainError';
    this.issues = opts.issues;
    this.details = opts.details;
    this.reason = opts.reason;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

export const invalid = (why: string, details?: unknown): DomainError => new DomainError('invalid', why, details === undefined ? {} : { details });
export const notFound = (what: string): DomainError => new DomainError('notFound', `${what}不存在`);
export const forbidden = (why: string): DomainError => new DomainError('forbidden', why);
export const conflict = (why: string, details?: unknown): DomainError => new DomainError('conflict', why, details === undefined ? {} : { details });
export const tooLate = (why: string): DomainError => new DomainError('tooLate', why);
export const unauthenticated = (why = '请先登录'): DomainError => new DomainError('unauthenticated', why);
