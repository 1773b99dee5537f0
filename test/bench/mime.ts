/**
 * MIME benchmark: `npm run bench -- mime [targets]` (targets per notice, default 28, which makes
 * an assignment notice of ~118 KB HTML like the large tasks send). Composes the notice with
 * composeMime (nodemailer's MailComposer) in rounds of 40 and prints the fastest and the median
 * round per message, and the message size. The notify stage of a 50,000-target task composes
 * ~1,800 of them.
 *
 * Measured (2 shared cores, load ~9): the earlier hand-written builder min 10.8 / median 20.9 ms,
 * MailComposer min 6.7 / median 10.8 ms per message, same size (177 KB) and the same encodings
 * (text base64, HTML quoted-printable).
 */
import { composeMime, renderAssignmentNotice } from '../../shared/mail/render.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import { sampleAssignedTargets, sampleAssignmentMail } from '../helpers/assignment-fixture.js';

const n = Number(process.argv[2] ?? 28);
const usccs = Array.from({ length: n }, (_, i) => makeUscc(1000 + i, { kind: 'enterprise', region: '130624' }));
const mail = renderAssignmentNotice(sampleAssignmentMail(sampleAssignedTargets(usccs, (p) => `https://suiji.example.gov.cn/l/${p}?t=x`)));
const compose = () => composeMime(mail, { from: { name: '双随机监管系统', address: 'suiji@example.gov.cn' }, to: [{ name: '李四', address: 'li@example.gov.cn' }], kind: 'assignment' });
const size = (await compose()).length;
const rounds: number[] = [];
for (let r = 0; r < 12; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 40; i++) await compose();
  rounds.push((performance.now() - t0) / 40);
}
const s = rounds.slice(2).sort((a, b) => a - b);
console.log(`assignment notice, ${n} targets: HTML ${(Buffer.byteLength(mail.html) / 1024).toFixed(0)} KB, message ${(size / 1024).toFixed(0)} KB`);
console.log(`composeMime: min ${s[0]!.toFixed(2)} ms, median ${s[Math.floor(s.length / 2)]!.toFixed(2)} ms per message`);
