/**
 * Reading a blob under prefix-scoped s3:ListBucket: a missing key is "not there" whether S3
 * answers NoSuchKey or AccessDenied, and a real refusal of an existing key stays an error.
 * Against a stand-in S3 endpoint on loopback (the SDK is the real one).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBlob, getBlobShared, putBlobParts, putBlobStream } from '../../shared/blobs.js';
import { resetConfig } from '../../shared/config.js';

const objects = new Map<string, string>([['draws/t1/1/record.json', '{"ok":true}'], ['draws/t1/1/secret.json', 'x']]);
/** Keys whose GetObject is refused, and how a missing key is answered. */
const refused = new Set(['draws/t1/1/secret.json']);
let missingAnswer: 'NoSuchKey' | 'AccessDenied' = 'NoSuchKey';
const lists: string[] = [];
/** What each PUT announced (its length) and carried. */
const puts = new Map<string, { length: number; body: Buffer }>();

/** The payload of an aws-chunked body (the SDK's streaming upload with a trailing checksum). */
function awsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; ; ) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.toString('latin1', at, eol).split(';')[0]!, 16);
    if (!size) return Buffer.concat(out);
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;

let server: Server;
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (bucket !== 'blobs') return void res.writeHead(404).end(xmlError('NoSuchBucket'));
    if (req.method === 'PUT') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(parts);
        const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
        const length = Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length']);
        puts.set(key, { length, body: chunked ? awsChunked(raw) : raw });
        res.writeHead(200, { etag: '"e"' }).end();
      });
      return;
    }
    if (!key && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      lists.push(prefix);
      const hits = [...objects.keys()].filter((k) => k.startsWith(prefix)).slice(0, 1);
      res.writeHead(200, { 'content-type': 'application/xml' });
      return void res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>blobs</Name><Prefix>${prefix}</Prefix><KeyCount>${hits.length}</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>${hits.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('')}</ListBucketResult>`,
      );
    }
    if (refused.has(key)) return void res.writeHead(403, { 'content-type': 'application/xml' }).end(xmlError('AccessDenied'));
    const body = objects.get(key) ?? puts.get(key)?.body;
    if (body === undefined) {
      return void res.writeHead(missingAnswer === 'NoSuchKey' ? 404 : 403, { 'content-type': 'application/xml' }).end(xmlError(missingAnswer));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  Object.assign(process.env, {
    TABLE_NAME: 't',
    BLOB_BUCKET: 'blobs',
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  delete process.env.SUIJI_LOCAL;
  resetConfig();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('getBlob with prefix-scoped listing', () => {
  it('reads an existing object', async () => {
    expect((await getBlob('draws/t1/1/record.json'))?.toString()).toBe('{"ok":true}');
  });

  it('treats NoSuchKey as missing without listing', async () => {
    missingAnswer = 'NoSuchKey';
    lists.length = 0;
    expect(await getBlob('draws/t1/2/record.json')).toBeUndefined();
    expect(lists).toEqual([]);
  });

  it('treats AccessDenied for a key the listing does not show as missing, listing exactly that key', async () => {
    missingAnswer = 'AccessDenied';
    lists.length = 0;
    expect(await getBlob('draws/t1/2/record.json')).toBeUndefined();
    expect(lists).toEqual(['draws/t1/2/record.json']);
  });

  it('keeps a refusal of an object that exists an error', async () => {
    await expect(getBlob('draws/t1/1/secret.json')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('putBlobStream (a draw record streamed with its length)', () => {
  it('sends the chunks as they are made, with the announced length', async () => {
    const made: number[] = [];
    const chunks = (function* () {
      for (let k = 0; k < 5; k++) {
        made.push(k);
        yield Buffer.alloc(100_000 + k, 97 + k);
      }
    })();
    const length = 5 * 100_000 + 10;
    await putBlobStream('draws/t1/3/record.json', { length, chunks }, 'application/json');
    const got = puts.get('draws/t1/3/record.json')!;
    expect(got.length).toBe(length);
    expect(got.body.length).toBe(length);
    expect(got.body.subarray(0, 100_000).every((b) => b === 97)).toBe(true);
    expect(got.body[length - 1]).toBe(101);
    expect(made).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses chunks that do not add up to the announced length', async () => {
    await expect(putBlobStream('draws/t1/4/record.json', { length: 10, chunks: [Buffer.alloc(4), Buffer.alloc(4)] })).rejects.toThrow(/8 bytes, 10 announced/);
  });
});

describe('a frozen draw state through S3 (putBlobParts, getBlobShared)', () => {
  it('stores the parts one after the other with their total length and reads them back into shared memory', async () => {
    const words = new Int32Array(new SharedArrayBuffer(4 * 50_000)).map((_, i) => i * 2654435761);
    const parts = [Buffer.from('SUIJIFZ4'), new Uint8Array(words.buffer, 4, 100_000), new Uint8Array(300_000).fill(7)];
    await putBlobParts('draws/t1/5/frozen.bin', parts);
    const got = puts.get('draws/t1/5/frozen.bin')!;
    const whole = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
    expect(got.length).toBe(whole.length);
    expect(got.body.equals(whole)).toBe(true);

    const back = (await getBlobShared('draws/t1/5/frozen.bin'))!;
    expect(back.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(back.equals(whole)).toBe(true);
  });

  it('reads a missing state as missing', async () => {
    missingAnswer = 'NoSuchKey';
    expect(await getBlobShared('draws/t1/6/frozen.bin')).toBeUndefined();
  });
});
