/**
 * Blob storage for draw records, import uploads and inbound mail: S3 in AWS, a folder on the
 * local platform (BLOB_BUCKET is then a directory path).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import { config } from './config.js';

let s3: S3Client | undefined;

function localPath(key: string): string {
  const p = normalize(join(config().blobBucket, key));
  if (!p.startsWith(normalize(config().blobBucket))) throw new Error(`invalid blob key ${key}`);
  return p;
}

/** The local file of a blob about to be written (its folder made). */
async function newLocalPath(key: string): Promise<string> {
  const p = localPath(key);
  await mkdir(dirname(p), { recursive: true });
  return p;
}

export async function putBlob(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
  if (config().local) {
    await writeFile(await newLocalPath(key), body);
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

/**
 * Stores the concatenation of `parts` (views of arrays, e.g. a frozen draw's columns) without
 * making one buffer of it: written one after the other to the file, streamed to S3 with its
 * length.
 */
export async function putBlobParts(key: string, parts: readonly Uint8Array[], contentType = 'application/octet-stream'): Promise<void> {
  const bufs = parts.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  if (config().local) {
    await writeParts(await newLocalPath(key), bufs);
    return;
  }
  s3 ??= new S3Client({});
  const length = bufs.reduce((n, b) => n + b.length, 0);
  await s3.send(new PutObjectCommand({ Bucket: config().blobBucket, Key: key, Body: Readable.from(bufs, { objectMode: false }), ContentLength: length, ContentType: contentType }));
}

/**
 * Writes a blob from chunks made as they are read, its length known first (S3 needs it for a
 * stream): a large draw record (~0.9 GB at 10,000,000 candidates) without a buffer of its size.
 * Written chunk by chunk to the file, streamed to S3; a body whose chunks do not add up to
 * `length` is refused.
 */
export async function putBlobStream(key: string, body: { length: number; chunks: Iterable<Uint8Array> }, contentType = 'application/octet-stream'): Promise<void> {
  const it = body.chunks[Symbol.iterator]();
  let seen = 0;
  /** The next chunk, counted; null at the end. Throws past or short of the announced length. */
  const next = (): Buffer | null => {
    const r = it.next();
    if (r.done) {
      if (seen !== body.length) throw new Error(`blob ${key}: ${seen} bytes, ${body.length} announced`);
      return null;
    }
    seen += r.value.byteLength;
    if (seen > body.length) throw new Error(`blob ${key}: more than the ${body.length} bytes announced`);
    return Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  };
  if (config().local) {
    await writeParts(await newLocalPath(key), (function* () {
      for (let b = next(); b; b = next()) yield b;
    })());
    return;
  }
  s3 ??= new S3Client({});
  // a chunk that fails (or a wrong length) ends the upload: the request is aborted, the error thrown
  const abort = new AbortController();
  let failure: unknown;
  const stream = new Readable({
    read() {
      try {
        this.push(next());
      } catch (e) {
        // ended, not destroyed (the SDK's wrapping streams would rethrow it unhandled); the abort ends the request
        failure ??= e;
        this.push(null);
        abort.abort();
      }
    },
  });
  try {
    await s3.send(new PutObjectCommand({ Bucket: config().blobBucket, Key: key, Body: stream, ContentLength: body.length, ContentType: contentType }), { abortSignal: abort.signal });
  } catch (e) {
    throw failure ?? e;
  }
}

/** Writes buffers one after the other into a new file. */
export async function writeParts(path: string, bufs: Iterable<Buffer>): Promise<void> {
  const f = await open(path, 'w');
  try {
    for (const b of bufs) for (let at = 0; at < b.length; ) at += (await f.write(b, at, b.length - at)).bytesWritten;
  } finally {
    await f.close();
  }
}

/**
 * A blob read into shared memory (a Buffer over a SharedArrayBuffer), for data a worker thread
 * reads in place (RunDraw's frozen state): no second copy of it in the process. From S3 the
 * body is streamed into the buffer when its length is known (one copy, as any read).
 */
export async function getBlobShared(key: string): Promise<Buffer | undefined> {
  if (config().local) {
    const f = await open(localPath(key), 'r').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!f) return undefined;
    try {
      return await readInto(f, (await f.stat()).size);
    } finally {
      await f.close();
    }
  }
  s3 ??= new S3Client({});
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: config().blobBucket, Key: key }));
    const size = r.ContentLength;
    if (size === undefined) return sharedCopy(await r.Body!.transformToByteArray());
    const out = Buffer.from(new SharedArrayBuffer(size));
    let at = 0;
    for await (const chunk of r.Body as AsyncIterable<Uint8Array>) {
      if (at + chunk.length > size) throw new Error(`blob ${key}: more than its ${size} bytes`);
      out.set(chunk, at);
      at += chunk.length;
    }
    if (at !== size) throw new Error(`blob ${key}: ${at} of ${size} bytes read`);
    return out;
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey') return undefined;
    if (name === 'AccessDenied' && !(await keyListed(s3, key))) return undefined;
    throw e;
  }
}

function sharedCopy(b: Uint8Array): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(b.length));
  out.set(b);
  return out;
}

/** Reads a whole file of `size` bytes into shared memory. */
async function readInto(f: Awaited<ReturnType<typeof open>>, size: number): Promise<Buffer> {
  const out = Buffer.from(new SharedArrayBuffer(size));
  for (let at = 0; at < size; ) {
    const { bytesRead } = await f.read(out, at, size - at, at);
    if (bytesRead === 0) throw new Error(`file shorter than its ${size} bytes`);
    at += bytesRead;
  }
  return out;
}

/** A local file read into shared memory (the bench's RunDraw reads FreezePool's state file so). */
export async function readFileShared(path: string): Promise<Buffer> {
  const f = await open(path, 'r');
  try {
    return await readInto(f, (await f.stat()).size);
  } finally {
    await f.close();
  }
}

async function keyListed(client: S3Client, key: string): Promise<boolean> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: config().blobBucket, Prefix: key, MaxKeys: 1 }));
  return (r.Contents ?? []).some((o) => o.Key === key);
}

/** Size of a stored blob in bytes, undefined when there is none (read before loading a client's upload). */
export async function blobSize(key: string): Promise<number | undefined> {
  if (config().local) {
    try {
      return (await stat(localPath(key))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  s3 ??= new S3Client({});
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: config().blobBucket, Key: key }))).ContentLength ?? 0;
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    // As in getBlob: under the s3:prefix condition a missing key may read as a refusal.
    if ((name === 'Forbidden' || name === 'AccessDenied') && !(await keyListed(s3, key))) return undefined;
    throw e;
  }
}

export interface PresignedUpload {
  /** PUT the file's bytes here (no other header needed) before `expiresAt`. */
  url: string;
  method: 'PUT';
  expiresAt: string;
}

/**
 * A URL that lets whoever holds it PUT one object under `key` until it expires: a presigned S3
 * PUT in AWS (the file never passes through API Gateway's 10 MB or Lambda's 6 MB payload
 * limits), on the local platform the same through its blob folder (`PUT /local/blobs/{key+}`,
 * signed with an HMAC the local server checks: verifyLocalUpload).
 */
export async function presignUpload(key: string, expiresInSeconds: number, at: Date): Promise<PresignedUpload> {
  const expiresAt = new Date(at.getTime() + expiresInSeconds * 1000).toISOString();
  if (config().local) {
    const expires = String(Math.floor(at.getTime() / 1000) + expiresInSeconds);
    const url = new URL(`/local/blobs/${key.split('/').map(encodeURIComponent).join('/')}`, config().publicBaseUrl);
    url.searchParams.set('expires', expires);
    url.searchParams.set('signature', localSignature(key, expires));
    return { url: url.toString(), method: 'PUT', expiresAt };
  }
  s3 ??= new S3Client({});
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: config().blobBucket, Key: key }), { expiresIn: expiresInSeconds });
  return { url, method: 'PUT', expiresAt };
}

function localSignature(key: string, expires: string): string {
  const secret = process.env.SUIJI_LOCAL_BLOB_SECRET;
  if (!secret) throw new Error('SUIJI_LOCAL_BLOB_SECRET is not set (the local platform sets it)');
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
}

/** The local platform's check of a presigned upload URL: the signature matches and it has not expired. */
export function verifyLocalUpload(key: string, expires: string, signature: string, atMs: number): boolean {
  if (!/^\d+$/.test(expires) || Number(expires) * 1000 < atMs) return false;
  const want = Buffer.from(localSignature(key, expires));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
