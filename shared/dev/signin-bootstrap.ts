/**
 * `npm run signin:bootstrap -- <email> --name <姓名> --department <id> [--role coordinator]`:
 * the first account of a department under the built-in sign-in (aws-cn, signIn=builtin), created
 * by the operator with AWS credentials of the account (`TABLE_NAME` = the stack's TableName
 * output, `AWS_REGION`); later accounts are created by that coordinator (console or
 * `suiji users create`). Prints the temporary password and the TOTP secret once.
 */
import { parseArgs } from 'node:util';
import { createUser, type SignInRole } from '../auth/builtin.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, department: { type: 'string' }, role: { type: 'string', default: 'coordinator' }, 'inspector-id': { type: 'string' } },
});
const email = positionals[0];
if (!email || !values.name || !values.department || !process.env.TABLE_NAME) {
  console.error('usage: TABLE_NAME=<TableName output> npm run signin:bootstrap -- <email> --name <姓名> --department <id> [--role coordinator|leader|inspector]');
  process.exit(2);
}
const c = await createUser(
  { email, name: values.name, role: values.role as SignInRole, department: values.department, ...(values['inspector-id'] ? { inspectorId: values['inspector-id'] } : {}) },
  `bootstrap:${process.env.USER ?? 'operator'}`,
);
console.log(`账号 ${c.user.email}（${c.user.role}，${c.user.department}）已创建。
临时密码：${c.temporaryPassword}（首次登录时须修改）
动态口令密钥：${c.totp.secret}
  ${c.totp.uri}
请当面或通过安全渠道交给本人；以上信息只显示这一次。`);
