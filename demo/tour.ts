/**
 * `npm run tour`: a runnable tour of every S3Connection operation.
 *
 * With S3_ENDPOINT (an S3-compatible store) or AWS credentials in the environment it uses
 * them; otherwise it starts a throw-away Ceph RGW on this machine (installing Debian's
 * packages first when they are missing and it runs as root) and stops it at the end.
 * It works in a bucket of its own and removes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { S3Connection, CloudSparkError } from '../src/index.js';
import { chooseStore, type Store } from './store.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
let stepNo = 0;
async function step<T>(title: string, run: () => Promise<T>, show?: (value: T) => string): Promise<T> {
  stepNo++;
  const started = performance.now();
  const value = await run();
  const ms = (performance.now() - started).toFixed(0);
  console.log(`${String(stepNo).padStart(2)}. ${bold(title)} ${dim(`(${ms} ms)`)}`);
  if (show) console.log(show(value).replace(/^/gm, '      '));
  return value;
}
const short = (url: string) => (url.length > 110 ? `${url.slice(0, 107)}...` : url);

async function tour(store: Store): Promise<void> {
  const bucket = `cloudspark-tour-${randomBytes(4).toString('hex')}`;
  const s3 = new S3Connection(store.options);
  console.log(`\n${bold('cloudspark tour')} on ${store.label}\n`);

  try {
    await step(
      'connect() -> the SDK S3Client, created lazily',
      () => s3.connect(),
      (c) => `region ${s3.region}, getInstance() === client: ${s3.getInstance() === c}`,
    );
    await step(
      `createBucket("${bucket}")`,
      () => s3.createBucket(bucket),
      (r) => JSON.stringify(r),
    );
    await step(
      'createBucket() again: already yours is fine',
      () => s3.createBucket(bucket),
      (r) => JSON.stringify(r),
    );

    await step('setBucketCors() with the default rule', () => s3.setBucketCors());
    await step(
      'getBucketCors()',
      () => s3.getBucketCors(),
      (r) => JSON.stringify(r),
    );

    await step('publicAccess(true): block all public access', () => s3.publicAccess(true));
    await step(
      'setBucketPolicy() while blocked: a typed error that says what to do',
      () =>
        s3.setBucketPolicy().then(
          () => 'accepted (this store does not enforce BlockPublicPolicy)',
          (e: CloudSparkError) => `${e.code}: ${e.message}`,
        ),
      (r) => r,
    );
    await step(
      'publicAccess(false), then getPublicAccess()',
      () => s3.publicAccess(false).then(() => s3.getPublicAccess()),
      (r) => JSON.stringify(r),
    );
    await step('setBucketPolicy(): public read of objects (s3:GetObject only)', () => s3.setBucketPolicy());
    await step(
      'getBucketPolicy()',
      () => s3.getBucketPolicy(),
      (r) => JSON.stringify(r),
    );

    await step(
      'uploadObject(string, "hello.txt")',
      () => s3.uploadObject('Hello from cloudspark!\n', 'hello.txt'),
      (r) => JSON.stringify(r),
    );
    await step(
      'uploadObject(6 MiB stream of unknown length) -> multipart',
      () =>
        s3.uploadObject(
          Readable.from(
            (function* () {
              for (let i = 0; i < 6; i++) yield Buffer.alloc(1 << 20, i);
            })(),
          ),
          'big/six-mib.bin',
        ),
      (r) => `etag ${r.etag}`,
    );
    await step(
      'headObject("hello.txt")',
      () => s3.headObject('hello.txt'),
      (m) => `${m.contentType}, ${m.contentLength} bytes, etag ${m.etag}`,
    );
    await step(
      'getObject("hello.txt").text()',
      () => s3.getObject('hello.txt').then((o) => o.text()),
      (t) => JSON.stringify(t),
    );
    if (store.options.endpoint) {
      await step(
        'an anonymous GET, allowed by the policy',
        () => fetch(`${store.options.endpoint}/${bucket}/hello.txt`).then((r) => r.status),
        (s) => `HTTP ${s}`,
      );
    }

    const post = await step(
      'presignedCreateUrl("uploads/form.txt", { params, conditions })',
      () =>
        s3.presignedCreateUrl('uploads/form.txt', {
          params: { owner: 'tour' },
          fields: { 'Content-Type': 'text/plain' },
          conditions: [['content-length-range', 1, 1024 * 1024]],
          expiresIn: 600,
        }),
      (p) => `url ${p.url}\nfields ${Object.keys(p.fields).join(', ')}`,
    );
    await step(
      'policyDecode(post.fields.policy)',
      async () => s3.policyDecode(post.fields['policy']!),
      (t) => t.split('\n').slice(0, 6).join('\n') + '\n...',
    );
    await step(
      'POST the form as a browser would',
      async () => {
        const form = new FormData();
        for (const [k, v] of Object.entries(post.fields)) form.append(k, v);
        form.append('file', new Blob(['uploaded through a presigned POST\n'], { type: 'text/plain' }), 'form.txt');
        return (await fetch(post.url, { method: 'POST', body: form })).status;
      },
      (s) => `HTTP ${s}`,
    );

    const put = await step(
      'presignedPutUrl("uploads/put.txt")',
      () => s3.presignedPutUrl('uploads/put.txt', { expiresIn: 600 }),
      short,
    );
    await step(
      'PUT through it',
      () => fetch(put, { method: 'PUT', body: 'uploaded through a presigned PUT\n' }).then((r) => r.status),
      (s) => `HTTP ${s}`,
    );
    const get = await step('presignedGetUrl("uploads/put.txt")', () => s3.presignedGetUrl('uploads/put.txt'), short);
    await step(
      'GET through it',
      () => fetch(get).then((r) => r.text()),
      (t) => JSON.stringify(t),
    );

    await step(
      'getObjects({ onlyKeys: true }): every page',
      () => s3.getObjects({ onlyKeys: true }),
      (k) => k.join(', '),
    );
    await step(
      'listObjects({ prefix: "uploads/" }): an async iterator',
      async () => {
        const seen: string[] = [];
        for await (const o of s3.listObjects({ prefix: 'uploads/' })) seen.push(`${o.key} (${o.size} B)`);
        return seen;
      },
      (s) => s.join(', '),
    );

    const del = await step(
      'presignedDeleteUrl("uploads/put.txt")',
      () => s3.presignedDeleteUrl('uploads/put.txt'),
      short,
    );
    await step(
      'DELETE through it',
      () => fetch(del, { method: 'DELETE' }).then((r) => r.status),
      (s) => `HTTP ${s}`,
    );

    if (store.userName) {
      await step(
        `listUserPolicies("${store.userName}")`,
        () => s3.listUserPolicies(store.userName!),
        (n) => JSON.stringify(n),
      );
    }
    if (store.stsWorks) {
      await step(
        'sts: temporary session credentials sign calls and URLs',
        async () => {
          const temp = new S3Connection({ ...store.options, bucket, sts: { durationSeconds: 3600 } });
          const url = await temp.presignedGetUrl('hello.txt', { expiresIn: 600 });
          const text = await fetch(url).then((r) => r.text());
          const tooLong = await temp
            .presignedGetUrl('hello.txt', { expiresIn: 7200 })
            .catch((e: CloudSparkError) => e.code);
          temp.close();
          return `GET with X-Amz-Security-Token: ${JSON.stringify(text.trim())}; a 2 h URL on a 1 h session: ${tooLong}`;
        },
        (s) => s,
      );
    }
    await step(
      'bad input fails before any network call',
      async () => {
        const problems = [
          await s3.presignedGetUrl('', {}).catch((e: CloudSparkError) => e.message),
          await s3.presignedGetUrl('a.txt', { expiresIn: 8 * 24 * 3600 }).catch((e: CloudSparkError) => e.message),
          await s3.createBucket('Not_A_Bucket').catch((e: CloudSparkError) => e.message),
        ];
        return problems;
      },
      (p) => p.join('\n'),
    );
  } finally {
    await step(
      'clean up: deleteBucketPolicy(), deleteBucketCors(), deleteObject() each, delete the bucket',
      async () => {
        if (s3.bucket !== bucket) return;
        await s3.deleteBucketPolicy().catch(() => {});
        await s3.deleteBucketCors().catch(() => {});
        for (const key of await s3.getObjects({ onlyKeys: true })) await s3.deleteObject(key);
        await s3.getInstance().send(new DeleteBucketCommand({ Bucket: bucket }));
      },
    ).catch((e: Error) => console.error(`clean-up failed: ${e.message}`));
    s3.close();
  }
  console.log(`\n${bold('Done.')} Every operation ran against a real S3 engine.`);
}

const store = chooseStore();
let failed = false;
try {
  await tour(store);
} catch (error) {
  failed = true;
  console.error(`\nThe tour stopped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  store.stop();
}
process.exitCode = failed ? 1 : 0;
