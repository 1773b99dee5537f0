/** Errors of the draw. Messages are user-facing Simplified Chinese; fields carry the details. */

/** The input to the draw is malformed (a bad USCC, a duplicate, an unknown inspector id …). */
export class DrawInputError extends Error {
  override readonly name = 'DrawInputError';
}

/** One reason a draw cannot be staffed, found before anything is frozen or drawn. */
export interface Shortage {
  kind: 'area' | 'area-unit' | 'candidate' | 'candidate-unit';
  /** Jurisdiction (area) name. */
  area: string;
  /** For candidate shortages: the USCC. */
  uscc?: string;
  /** For unit shortages: the missing department (or section) id. */
  unit?: string;
  /** Inspectors needed per team (team size), or 1 for a unit shortage. */
  needed: number;
  /** Eligible inspectors available. */
  available: number;
  /** Candidates that could be drawn and are affected. */
  candidates: number;
  /** The sentence shown to the user. */
  message: string;
}

/** The draw cannot succeed for some seed: nothing may be frozen or written. */
export class DrawInfeasibleError extends Error {
  override readonly name = 'DrawInfeasibleError';
  constructor(readonly shortages: Shortage[]) {
    const shown = shortages.slice(0, 10).map((s) => s.message);
    const more = shortages.length > 10 ? `；等共 ${shortages.length} 处` : '';
    super(`无法抽取：${shown.join('；')}${more}`);
  }
}

/** A reveal does not match its commitment: the ceremony stops. */
export class RevealMismatchError extends Error {
  override readonly name = 'RevealMismatchError';
  constructor(
    /** Witness id, or "system" for the system's own bytes. */
    readonly witnessId: string,
    message: string,
  ) {
    super(message);
  }
}

/** One or more reveals are missing: the ceremony is aborted (and the abort is recorded). */
export class MissingRevealError extends Error {
  override readonly name = 'MissingRevealError';
  constructor(readonly missing: string[]) {
    const label = (m: string) => (m === 'system' ? '系统随机数' : m === 'beacon' ? '公共随机信标取值' : `见证人「${m}」`);
    super(`抽取仪式中止：缺少揭示值（${missing.map(label).join('、')}）`);
  }
}
