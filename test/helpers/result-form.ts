/**
 * The inspectors' result form (一企一表) as a browser posts it: result codes, one verdict per
 * inspection item, how and when it was checked, who was present, the signature. Tests and the
 * chaos bench post it to an enter-result link. No vitest import: the benchmarks load it too.
 */
export interface ResultFormFields {
  /** Every item of the task (general and key): each gets `verdict`. */
  items: readonly string[];
  checkDate: string;
  /** Inspectors present (ids): at least two of the team for a valid form. */
  present: readonly string[];
  /** Result codes of the department's phrase list (default '1', 未发现问题). */
  codes?: string;
  verdict?: 'pass' | 'problem';
  problems?: string;
  /** The target's representative signed (the field is left out when not given). */
  signed?: boolean;
  signer?: string;
  /** The submission id the rendered form carries (a retry repeats it). */
  submission?: string;
  remark?: string;
}

export function resultForm(f: ResultFormFields): URLSearchParams {
  const form = new URLSearchParams();
  if (f.submission) form.append('submission', f.submission);
  form.append('codes', f.codes ?? '1');
  for (const id of f.items) form.append(`item_${id}`, f.verdict ?? 'pass');
  form.append('methods', '实地核查');
  form.append('checkDate', f.checkDate);
  for (const p of f.present) form.append('present', p);
  if (f.signed) form.append('signed', 'true');
  form.append('signer', f.signer ?? '法定代表人');
  if (f.problems) form.append('problems', f.problems);
  if (f.remark) form.append('remark', f.remark);
  return form;
}
