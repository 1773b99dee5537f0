/**
 * Secrets Manager reads (SMTP and IMAP credentials), cached per process for 10 minutes so a
 * warm Lambda does not call Secrets Manager per message, yet picks up a rotated secret soon.
 * A caller that finds the credentials refused calls `forgetSecret` and reads again.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const TTL_MS = 10 * 60_000;

let client: SecretsManagerClient | undefined;
const cache = new Map<string, { until: number; value: Promise<Record<string, unknown>> }>();

/** The secret's SecretString parsed as a JSON object. */
export function secretJson(arn: string): Promise<Record<string, unknown>> {
  const hit = cache.get(arn);
  if (hit && hit.until > Date.now()) return hit.value;
  client ??= new SecretsManagerClient({});
  const value = client.send(new GetSecretValueCommand({ SecretId: arn })).then((r) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.SecretString ?? '');
    } catch {
      throw new Error(`secret ${arn} is not a JSON object`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`secret ${arn} is not a JSON object`);
    return parsed as Record<string, unknown>;
  });
  // A failed read is not cached.
  value.catch(() => cache.delete(arn));
  cache.set(arn, { until: Date.now() + TTL_MS, value });
  return value;
}

export interface Credentials {
  username: string;
  password: string;
}

/** `{"username": "…", "password": "…"}` from the secret. */
export async function credentialsFrom(arn: string): Promise<Credentials> {
  if (!arn) throw new Error('no secret ARN configured for the mail credentials');
  const s = await secretJson(arn);
  if (typeof s.username !== 'string' || typeof s.password !== 'string' || !s.username) {
    throw new Error(`secret ${arn} must hold {"username": "…", "password": "…"}`);
  }
  return { username: s.username, password: s.password };
}

export function forgetSecret(arn: string): void {
  cache.delete(arn);
}

export function resetSecrets(): void {
  cache.clear();
  client = undefined;
}
