/**
 * Signs the built-in sign-in's tokens (RS256 JWTs) and publishes the public key as a JWKS.
 *
 * In AWS the key is an RSA_2048 SIGN_VERIFY key in KMS (AUTH_SIGNING_KEY_ARN): the private key
 * never leaves KMS; the API signs with kms:Sign and reads the public key with kms:GetPublicKey.
 * The local platform signs with a PEM key file kept in its data folder (AUTH_SIGNING_KEY_FILE),
 * created on first use. Either way API Gateway's JWT authorizer (or the local server standing
 * in for it) verifies against `<issuer>/jwks.json`.
 */
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as rsaSign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

interface Signer {
  publicJwk(): Promise<PublicJwk>;
  sign(input: Buffer): Promise<Buffer>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function jwkOf(pub: KeyObject): PublicJwk {
  const der = pub.export({ format: 'der', type: 'spki' });
  const jwk = pub.export({ format: 'jwk' }) as { n: string; e: string };
  // kid: the key's fingerprint, so a new key is told apart from the old one by every verifier.
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid: createHash('sha256').update(der).digest('base64url').slice(0, 16), alg: 'RS256', use: 'sig' };
}

function fileSigner(file: string): Signer {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  const key = createPrivateKey(readFileSync(file));
  const jwk = jwkOf(createPublicKey(key));
  return { publicJwk: async () => jwk, sign: async (input) => rsaSign('sha256', input, key) };
}

function kmsSigner(keyId: string): Signer {
  const client = new KMSClient({});
  let jwk: Promise<PublicJwk> | undefined;
  return {
    publicJwk: () => {
      if (!jwk) {
        const p = client.send(new GetPublicKeyCommand({ KeyId: keyId })).then((r) => jwkOf(createPublicKey({ key: Buffer.from(r.PublicKey!), format: 'der', type: 'spki' })));
        // A failed read is not kept.
        p.catch(() => (jwk = undefined));
        jwk = p;
      }
      return jwk;
    },
    sign: async (input) => {
      const r = await client.send(new SignCommand({ KeyId: keyId, Message: input, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
      return Buffer.from(r.Signature!);
    },
  };
}

let current: { id: string; signer: Signer } | undefined;

function signer(): Signer {
  const file = process.env.AUTH_SIGNING_KEY_FILE;
  const arn = process.env.AUTH_SIGNING_KEY_ARN;
  const id = file ? `file:${file}` : `kms:${arn ?? ''}`;
  if (current?.id !== id) {
    if (!file && !arn) throw new Error('the built-in sign-in needs AUTH_SIGNING_KEY_ARN (KMS) or AUTH_SIGNING_KEY_FILE (local)');
    current = { id, signer: file ? fileSigner(file) : kmsSigner(arn!) };
  }
  return current.signer;
}

export function publicJwk(): Promise<PublicJwk> {
  return signer().publicJwk();
}

/** A compact RS256 JWS of `payload`. */
export async function signJwt(payload: Record<string, unknown>): Promise<string> {
  const s = signer();
  const { kid } = await s.publicJwk();
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(await s.sign(Buffer.from(input)))}`;
}
