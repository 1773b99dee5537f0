/**
 * A local Secrets Manager with one operation, GetSecretValue, speaking the AWS JSON 1.1 protocol
 * (`X-Amz-Target: secretsmanager.GetSecretValue`), so the SMTP and IMAP credentials reach the
 * mail code through `@aws-sdk/client-secrets-manager` exactly as in AWS (`AWS_ENDPOINT_URL_SECRETS_MANAGER`).
 */
import { createServer, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface LocalSecrets {
  endpoint: string;
  /** Stores a secret (its JSON as SecretString) and returns its ARN. */
  put(name: string, value: unknown): string;
  close(): Promise<void>;
}

export async function startLocalSecrets(opts: { port?: number; region?: string } = {}): Promise<LocalSecrets> {
  const region = opts.region ?? 'cn-north-1';
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const secrets = new Map<string, { arn: string; name: string; value: string; version: string }>();
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'secretsmanager.GetSecretValue') return reply(res, 400, { __type: 'UnknownOperationException', message: `${target} is not supported locally` });
      let id = '';
      try {
        id = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId ?? '');
      } catch {
        return reply(res, 400, { __type: 'SerializationException', message: 'body is not JSON' });
      }
      const s = secrets.get(id) ?? [...secrets.values()].find((x) => x.name === id);
      if (!s) return reply(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      reply(res, 200, { ARN: s.arn, Name: s.name, SecretString: s.value, VersionId: s.version, VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    put(name, value) {
      const prior = [...secrets.values()].find((x) => x.name === name);
      const arn = prior?.arn ?? `arn:${partition}:secretsmanager:${region}:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;
      secrets.set(arn, { arn, name, value: JSON.stringify(value), version: randomUUID() });
      return arn;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
