/**
 * Blob storage for draw records, import uploads and inbound mail: S3 in AWS, a folder on the
 * local platform (BLOB_BUCKET is then a directory path).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { config } from './config.js';

let s3: S3Client | undefined;

function localPath(key: string): string {
  const p = normalize(join(config().blobBucket, key));
  if (!p.startsWith(normalize(config().blobBucket))) throw new Error(`invalid blob key ${key}`);
  return p;
}

export async function putBlob(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
  if (config().local) {
    const p = localPath(key);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, body);
    return;
  }
  s3 ??= new S3Client({});
  await s3.send(new PutObjectCommand({ Bucket: config().blobBucket, Key: key, Body: body, ContentType: contentType }));
}

export async function getBlob(key: string): Promise<Buffer | undefined> {
  if (config().local) {
    try {
      return await readFile(localPath(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  s3 ??= new S3Client({});
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: config().blobBucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey') return undefined;
    // A function may list only its own prefixes (s3:prefix condition). Should S3 answer a
    // missing key with AccessDenied under that condition, listing exactly this key tells a
    // missing object (empty listing) from a real refusal (rethrown).
    if (name === 'AccessDenied' && !(await keyListed(s3, key))) return undefined;
    throw e;
  }
}

async function keyListed(client: S3Client, key: string): Promise<boolean> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: config().blobBucket, Prefix: key, MaxKeys: 1 }));
  return (r.Contents ?? []).some((o) => o.Key === key);
}
