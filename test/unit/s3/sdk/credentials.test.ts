/**
 * Where signing credentials come from: given keys (no I/O at all), or STS session credentials,
 * checked so that a presigned URL never outlives the credentials that sign it.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialSource } from '../../../../src/s3/sdk/credentials.js';
import { S3Connection } from '../../../../src/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, invalid, isCloudSparkError } from '../../helpers.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };

describe('given long-term keys', () => {
  test('are returned as they are, as a copy, with no expiry', async () => {
    const given = { ...credentials, sessionToken: 'tok' };
    const source = new CredentialSource({ credentials: given, region: 'us-east-1', endpoint: UNREACHABLE });
    const got = await source.get(604800);
    assert.deepEqual(got, given);
    assert.notEqual(got, given);
    given.secretAccessKey = 'changed later';
    assert.equal((await source.get()).secretAccessKey, SECRET_ACCESS_KEY);
    assert.equal(source.stsDurationSeconds, undefined);
  });

  test('the SDK provider hands out the same keys', async () => {
    const source = new CredentialSource({ credentials, region: 'us-east-1', endpoint: UNREACHABLE });
    assert.deepEqual(await source.provider(), { ...credentials, sessionToken: undefined, expiration: undefined });
  });
});

describe('STS session credentials: expiresIn beyond durationSeconds', () => {
  // The endpoint is unreachable: had a network call been made, the error would be NETWORK
  // (the controls below show it), not EXPIRES_AFTER_CREDENTIALS.
  const sts = (durationSeconds?: number) =>
    new CredentialSource({
      credentials,
      sts: durationSeconds === undefined ? {} : { durationSeconds },
      region: 'us-east-1',
      endpoint: UNREACHABLE,
    });

  test('is refused with EXPIRES_AFTER_CREDENTIALS before any network call', async () => {
    await assert.rejects(sts(900).get(901), isCloudSparkError('EXPIRES_AFTER_CREDENTIALS', 'expiresIn'));
    await assert.rejects(sts(900).get(3600), /sts\.durationSeconds is 900/);
    await assert.rejects(sts(129600).get(604800), isCloudSparkError('EXPIRES_AFTER_CREDENTIALS'));
  });

  test('the default durationSeconds is 43200 (12 h)', async () => {
    assert.equal(sts().stsDurationSeconds, 43200);
    await assert.rejects(sts().get(43201), isCloudSparkError('EXPIRES_AFTER_CREDENTIALS'));
  });

  test('control: a lifetime within durationSeconds does go to the network (and fails there)', async () => {
    await assert.rejects(sts(900).get(60), isCloudSparkError('NETWORK'));
  });

  test('through S3Connection: the default one-hour URL does not fit in a 900 s session', async () => {
    const c = new S3Connection({
      ...credentials,
      endpoint: UNREACHABLE,
      region: 'us-east-1',
      bucket: 'b-b',
      sts: { durationSeconds: 900 },
    });
    await assert.rejects(c.presignedGetUrl('k'), isCloudSparkError('EXPIRES_AFTER_CREDENTIALS', 'expiresIn'));
    await assert.rejects(c.presignedPutUrl('k', { expiresIn: 901 }), isCloudSparkError('EXPIRES_AFTER_CREDENTIALS'));
    await assert.rejects(
      c.presignedDeleteUrl('k', { expiresIn: 604800 }),
      isCloudSparkError('EXPIRES_AFTER_CREDENTIALS'),
    );
    await assert.rejects(c.presignedCreateUrl('k'), isCloudSparkError('EXPIRES_AFTER_CREDENTIALS'));
  });

  test('durationSeconds outside 900..129600 is refused at construction', () => {
    for (const d of [899, 129601, 1.5, Number.NaN]) {
      assert.throws(() => sts(d), invalid('sts.durationSeconds'), String(d));
    }
  });
});

describe('STS session credentials from a local fake STS', () => {
  let server: http.Server;
  let endpoint = '';
  const requests: Array<{ body: string; authorization: string }> = [];
  /** Lifetime of the credentials the fake hands out, in seconds (STS honours DurationSeconds). */
  let lifetime: number | 'asked' = 'asked';
  let failWith: { status: number; code: string } | undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        requests.push({ body, authorization: String(req.headers.authorization ?? '') });
        if (failWith) {
          res.writeHead(failWith.status, { 'content-type': 'text/xml' });
          res.end(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${failWith.code}</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>sts-req</RequestId></ErrorResponse>`,
          );
          return;
        }
        const asked = Number(new URLSearchParams(body).get('DurationSeconds'));
        const seconds = lifetime === 'asked' ? asked : lifetime;
        const expiration = new Date(Date.now() + seconds * 1000).toISOString();
        const n = requests.length;
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>` +
            `<AccessKeyId>ASIATEMP${n}</AccessKeyId><SecretAccessKey>tempSecret${n}</SecretAccessKey><SessionToken>session/token+${n}=</SessionToken>` +
            `<Expiration>${expiration}</Expiration></Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>r${n}</RequestId></ResponseMetadata></GetSessionTokenResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const reset = () => {
    requests.length = 0;
    lifetime = 'asked';
    failWith = undefined;
  };
  const connection = (durationSeconds: number) =>
    new S3Connection({ ...credentials, endpoint, region: 'us-east-1', bucket: 'b-b', sts: { durationSeconds } });

  test('presigned URLs are signed with the session credentials and carry their token', async () => {
    reset();
    const url = new URL(await connection(3600).presignedGetUrl('k', { expiresIn: 600 }));
    assert.equal(requests.length, 1);
    assert.equal(new URLSearchParams(requests[0]!.body).get('Action'), 'GetSessionToken');
    assert.equal(new URLSearchParams(requests[0]!.body).get('DurationSeconds'), '3600');
    // The STS call itself is signed with the long-term key.
    assert.match(requests[0]!.authorization, new RegExp(`Credential=${ACCESS_KEY_ID}/`));
    assert.match(url.searchParams.get('X-Amz-Credential')!, /^ASIATEMP1\//);
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'session/token+1=');
    assert.deepEqual(
      [...url.searchParams.keys()],
      [
        'X-Amz-Algorithm',
        'X-Amz-Credential',
        'X-Amz-Date',
        'X-Amz-Expires',
        'X-Amz-SignedHeaders',
        'X-Amz-Security-Token',
        'X-Amz-Signature',
      ],
    );
  });

  test('the session is fetched once and shared, also by concurrent calls', async () => {
    reset();
    const c = connection(3600);
    const urls = await Promise.all([
      c.presignedGetUrl('a', { expiresIn: 60 }),
      c.presignedPutUrl('b', { expiresIn: 60 }),
      c.presignedDeleteUrl('c', { expiresIn: 60 }),
      c.presignedCreateUrl('d', { expiresIn: 60 }).then((p) => p.fields['x-amz-security-token']!),
    ]);
    urls.push(await c.presignedGetUrl('e', { expiresIn: 900 }));
    assert.equal(requests.length, 1);
    for (const u of urls) assert.match(decodeURIComponent(u), /session\/token\+1=/);
  });

  test('credentials that expire sooner than asked for are not used for a longer URL', async () => {
    reset();
    lifetime = 600; // STS may cut a session short (e.g. for root or federated callers)
    const c = connection(3600);
    assert.match(await c.presignedGetUrl('k', { expiresIn: 200 }), /X-Amz-Security-Token=/);
    await assert.rejects(c.presignedGetUrl('k', { expiresIn: 700 }), (e: Error) => {
      isCloudSparkError('EXPIRES_AFTER_CREDENTIALS', 'expiresIn')(e);
      assert.match(e.message, /the credentials expire at \d{4}-\d\d-\d\dT/);
      return true;
    });
  });

  test('a session that no longer covers a new URL is replaced by a fresh one', async () => {
    reset();
    lifetime = 300;
    const c = connection(3600);
    assert.match(await c.presignedGetUrl('k', { expiresIn: 250 }), /ASIATEMP1%2F/);
    lifetime = 'asked';
    assert.match(await c.presignedGetUrl('k', { expiresIn: 400 }), /ASIATEMP2%2F/);
    assert.equal(requests.length, 2);
  });

  test('SDK calls get credentials renewed five minutes before they expire', async () => {
    reset();
    const source = (d: number) =>
      new CredentialSource({ credentials, sts: { durationSeconds: d }, region: 'us-east-1', endpoint });
    lifetime = 240; // already inside the renewal margin: every SDK call renews
    const short = source(3600);
    assert.equal((await short.provider()).accessKeyId, 'ASIATEMP1');
    assert.equal((await short.provider()).accessKeyId, 'ASIATEMP2');
    lifetime = 'asked';
    const long = source(3600);
    const first = await long.provider();
    assert.equal((await long.provider()).accessKeyId, first.accessKeyId);
    assert.equal(requests.length, 3);
    assert.ok(first.expiration instanceof Date && first.expiration.getTime() > Date.now() + 3500_000);
  });

  test("an STS refusal is a CREDENTIALS error that keeps the service's code", async () => {
    reset();
    failWith = { status: 403, code: 'InvalidClientTokenId' };
    await assert.rejects(
      connection(3600).presignedGetUrl('k', { expiresIn: 60 }),
      (e: Error & { status?: number; s3Code?: string }) => {
        isCloudSparkError('CREDENTIALS')(e);
        assert.equal(e.status, 403);
        assert.equal(e.s3Code, 'InvalidClientTokenId');
        assert.ok(!e.message.includes(SECRET_ACCESS_KEY));
        return true;
      },
    );
  });
});
