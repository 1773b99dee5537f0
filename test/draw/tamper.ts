/** One-character tampering of a parsed record: every leaf path, get/set, and the change itself. */
export type Path = (string | number)[];

export function leaves(v: unknown, path: Path = []): Path[] {
  if (typeof v === 'string' || typeof v === 'number') return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [];
}
export function get(o: unknown, p: Path): unknown {
  return p.reduce((x: any, k) => x[k], o);
}
export function set(o: unknown, p: Path, value: unknown): void {
  (get(o, p.slice(0, -1)) as any)[p[p.length - 1]!] = value;
}
/** Changes one character (or a number by one), keeping the character class where possible. */
export function mutate(v: string | number): string | number {
  if (typeof v === 'number') return v + 1;
  const i = Math.floor(v.length / 2);
  const c = v[i]!;
  const next = /[0-9a-f]/.test(c) ? '0123456789abcdef'[('0123456789abcdef'.indexOf(c) + 1) % 16]! : String.fromCodePoint(c.codePointAt(0)! + 1);
  return v.slice(0, i) + next + v.slice(i + 1);
}

/** The paths whose one-character change `verify` does not notice, each tried on a fresh copy from `genuine`. */
export function undetectedChanges<R>(genuine: () => R, paths: readonly Path[], verify: (r: R) => { ok: boolean }): string[] {
  const undetected: string[] = [];
  for (const p of paths) {
    const r = genuine();
    set(r, p, mutate(get(r, p) as string | number));
    if (verify(r).ok) undetected.push(p.join('.'));
  }
  return undetected;
}
