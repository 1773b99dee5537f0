/**
 * The mail job's directory is keyed by (department, id). Before, it mapped bare ids across
 * departments with the later department winning: an impostor record under the same id in a
 * department sorting after the real one received the real inspector's reminder digest, with his
 * assignment link and a reply token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../helpers/local-aws.js';
import { assign, createDepartment, inbox, startMailStack, to, type DeptFixture, type Inbox, type MailStack } from '../jobs/fixtures.js';
import { runDeadlineJob } from '../../shared/jobs/deadlines.js';
import { resolveLink } from '../../shared/links.js';
import { putItem } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { ManualClock } from '../../shared/clock.js';
import type { LocalSes } from '../../shared/dev/local/ses.js';
import type { Inspector } from '../../shared/domain/schemas.js';

let stack: TestStack;
let ses: LocalSes;
let mail: MailStack;
let box: Inbox;
let A: DeptFixture;
let impostor: Inspector;

beforeAll(async () => {
  mail = await startMailStack(new ManualClock('2026-03-10T01:00:00Z'));
  ({ stack, ses } = mail);
  A = await createDepartment('ida', 'qinhuangdao-samr-2023', { inspectors: 2, targets: 2, seed: 8100 });
  await createDepartment('idz', 'qinhuangdao-samr-2023', { inspectors: 2, targets: 1, seed: 8200 });
  const [i1, i2] = A.inspectors as [Inspector, Inspector];
  // Registered under idz with i1's id before ids were checked across departments.
  impostor = { ...i1, department: 'idz', name: '冒名者', email: 'impostor.idz@example.gov.cn' };
  await putItem({ ...K.inspector('idz', i1.id), gsi2pk: K.emailLookup(impostor.email), gsi2sk: `INSP#idz#${i1.id}`, entity: 'inspector', ...impostor });
  await assign(A.taskIds[0]!, [{ target: A.targets[0]!, team: [i1, i2], dueEntry: '2026-03-13' }]);
  box = inbox(ses);
}, 180_000);

afterAll(() => mail?.stop());

describe('reminder digests go to the inspector of the seat, not to a namesake of another department', () => {
  it('sends the real inspector his digest and the impostor nothing', async () => {
    await runDeadlineJob('2026-03-10');
    const mails = box.take();
    const real = A.inspectors[0]!;
    expect(mails.filter((m) => to(m).includes(impostor.email))).toEqual([]);
    const digest = mails.find((m) => to(m).includes(real.email) && m.subject.includes('到期提醒'));
    expect(digest, 'the real inspector gets the reminder').toBeDefined();
    const linkId = /\/l\/([A-Za-z0-9_-]{16,64})/.exec(`${digest!.body.text}`)![1]!;
    const link = await resolveLink(linkId);
    expect(link.ok && link.link.payload).toMatchObject({ inspectorId: real.id, department: 'ida' });
  });
});

describe('progress drawn before teams kept departments', () => {
  it('resolves a member in the task’s draw scope, where the impostor’s department is not', async () => {
    const [i1, i2] = A.inspectors as [Inspector, Inspector];
    await assign(A.taskIds[0]!, [{ target: A.targets[1]!, team: [i2, i1], dueEntry: '2026-03-16' }], { legacy: true });
    await runDeadlineJob('2026-03-11');
    const mails = box.take();
    expect(mails.filter((m) => to(m).includes(impostor.email))).toEqual([]);
    expect(mails.some((m) => to(m).includes(i1.email) && m.subject.includes('到期提醒'))).toBe(true);
  });
});
