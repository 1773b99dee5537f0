import { describe, expect, it } from 'vitest';
import { parse as csvParse } from 'csv-parse/sync';
import { CsvSyntaxError, parseCsv } from '../../shared/import/csv.js';
import { prng } from './generate.js';

/** csv-parse as the reference: one record per line, blank lines as [""]. */
const reference = (text: string, delimiter = ','): string[][] =>
  csvParse(text, {
    delimiter,
    relax_column_count: true,
    // A quote inside an unquoted value is literal (as Excel reads it).
    relax_quotes: true,
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
  }) as string[][];

describe('parseCsv agrees with csv-parse', () => {
  const cases: Record<string, string> = {
    simple: 'a,b,c\n1,2,3\n',
    'no final line end': 'a,b\n1,2',
    crlf: 'a,b\r\n1,2\r\n',
    'lone cr': 'a,b\r1,2\r',
    'blank lines': 'a,b\n\n1,2\n\n\n3,4\n',
    'quoted delimiter and quote': 'a,b\n"x,y","say ""hi"""\n',
    'quoted line breaks': 'a,b\n"line1\nline2",2\n"r1\r\nr2",3\n',
    'empty fields': ',,\n,"",\n',
    'trailing delimiter': 'a,b,\n1,2,\n',
    'trailing delimiter at end of file': 'a,b,\n1,2,',
    'quote inside unquoted value': 'a,b\nab"c,2\n',
    'chinese text': '名称,地址\n阜平县“示例”公司,"河北省,保定市"\n',
    bom: '\ufeffa,b\n1,2\n',
    'whitespace kept': ' a , b \n 1 ,2\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => expect(parseCsv(text)).toEqual(reference(text)));
  }

  it('tab and semicolon delimiters', () => {
    const t = 'a\tb\n"x\ty"\t2\n';
    expect(parseCsv(t, '\t')).toEqual(reference(t, '\t'));
    const s = 'a;b\n1;"2;3"\n';
    expect(parseCsv(s, ';')).toEqual(reference(s, ';'));
  });

  it('random files built from awkward pieces', () => {
    const rnd = prng(7);
    const pieces = ['a', '名称', ',', '"', '""', '\n', '\r\n', ' ', '、', 'x"y'];
    for (let n = 0; n < 300; n++) {
      // Build from quoted/unquoted fields so the file is valid CSV.
      const rows: string[] = [];
      const nrows = 1 + Math.floor(rnd() * 5);
      for (let r = 0; r < nrows; r++) {
        const fields: string[] = [];
        const nf = Math.floor(rnd() * 4);
        for (let f = 0; f < nf; f++) {
          let v = '';
          const len = Math.floor(rnd() * 4);
          for (let k = 0; k < len; k++) v += pieces[Math.floor(rnd() * pieces.length)]!;
          const needsQuote = /[",\r\n]/.test(v);
          fields.push(needsQuote ? `"${v.replace(/"/g, '""')}"` : v);
        }
        rows.push(fields.join(','));
      }
      const text = rows.join(rnd() < 0.5 ? '\n' : '\r\n') + (rnd() < 0.5 ? '\n' : '');
      expect(parseCsv(text), JSON.stringify(text)).toEqual(reference(text));
    }
  });
});

describe('parseCsv syntax errors carry the row', () => {
  it('unclosed quote: the row where the quoted value starts', () => {
    const e = (() => {
      try {
        parseCsv('a,b\n1,2\n"3,4\n5,6\n');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(CsvSyntaxError);
    expect(e).toMatchObject({ code: 'unclosed-quote', row: 3 });
  });

  it('text after a closing quote', () => {
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(expect.objectContaining({ code: 'text-after-quote', row: 2 }));
  });
});
