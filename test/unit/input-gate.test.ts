/**
 * One input gate: every public function and constructor of `cloudspark`, `cloudspark/server` and
 * `cloudspark/browser` refuses bad arguments and options before any I/O, naming the field.
 *
 * The table below has one row per callable export (and per method of an exported class). The
 * exports are enumerated, so a new one that is not in the table fails the first test. Each row
 * gives valid arguments and, by path, the kind of each argument or option; every kind has its
 * bad values (null, wrong types, CR/LF in strings bound for headers, non-functions for
 * callbacks), and each bad value, put in the valid arguments at its path, must be refused with
 * `INVALID_INPUT` and the field named. The browser module refuses with an `UploadError` of code
 * `INVALID_INPUT` whose message starts `Invalid <field>:`.
 *
 * The connection points at http://127.0.0.1:1, where nothing listens: a call that did any I/O
 * would fail with NETWORK instead. The browser functions run in Node with a Blob: a check that
 * came after the request would meet no XMLHttpRequest (a ReferenceError), or fetch would fail.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cloudspark from '../../src/index.js';
import * as server from '../../src/server/index.js';
import * as browser from '../../src/browser/index.js';
import * as browserResume from '../../src/browser/persist.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, describeError } from './helpers.js';

const repoRoot = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const { S3Connection, S3Presigner, CloudSparkError } = cloudspark;
const { UploadError } = browser;

/** What is wrong with an argument, as its bad values. */
const BAD = {
  string: [null, 42, { toString: () => 'x' }],
  header: [null, 42, 'text/plain\r\nX-Injected: 1', 'x\ny'],
  callback: [null, 'not a function', {}],
  number: [null, 'ten', {}],
  flag: [null, 'yes', 1],
  date: [null, 'yesterday', 1_700_000_000_000],
  signal: [null, 'abort', {}],
  object: [null, 42, 'options', []],
  array: [null, 42, 'x'],
  blob: [null, 'bytes', {}],
  body: [null, 42, { data: 'x' }],
  bytes: [null, 'bytes', [1, 2]],
  api: [null, 42, '', { url: 5 }],
} as const satisfies Record<string, readonly unknown[]>;
type Kind = keyof typeof BAD;

interface Row {
  /** Valid arguments, made fresh for each case. */
  args: () => unknown[];
  /** Calls it: a function, a constructor, or a method on a fresh instance. */
  call: (...args: unknown[]) => unknown;
  /** By path (`'1'`, `'1.contentType'`, `'1.metadata.owner'`): the kind and the field the refusal must name. */
  checks: Record<string, readonly [Kind, string]>;
}
/** A constant, or an error class: what the gate throws, so it never throws itself. */
type Entry = Row | 'value' | 'error class';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const connectionOptions = () => ({ ...credentials, endpoint: UNREACHABLE, region: 'us-east-1', bucket: 'my-bucket' });
const connection = () => new S3Connection(connectionOptions());
/** A method of a fresh connection. */
const method =
  (name: keyof InstanceType<typeof S3Connection>) =>
  (...args: unknown[]) =>
    (connection()[name] as (...a: unknown[]) => unknown)(...args);
const presigner = () => new S3Presigner({ bucket: 'my-bucket', region: 'us-east-1', endpoint: UNREACHABLE });
const urlRequest = () => ({
  method: 'GET',
  key: 'k',
  expiresIn: 60,
  query: { partNumber: '1' },
  headers: { 'content-type': 'text/plain' },
});
const postRequest = () => ({ key: 'k', expiresIn: 60, fields: { 'Content-Type': 'text/plain' }, conditions: [] });
const blob = () => new Blob(['x']);
const options = (index: number, fields: Record<string, Kind>): Record<string, readonly [Kind, string]> =>
  Object.fromEntries([
    [String(index), ['object', 'options']],
    ...Object.entries(fields).map(([name, kind]) => [`${index}.${name}`, [kind, name]]),
  ]);
const none = (call: (...args: unknown[]) => unknown): Row => ({ args: () => [], call, checks: {} });
const key = { '0': ['string', 'key'] } as const;
const presignOptions = { expiresIn: 'number', signingDate: 'date' } as const;
/** What both of S3Presigner's methods check: the credentials, and the request's key, lifetime and clock. */
const signing: Row['checks'] = {
  '0': ['object', 'credentials'],
  '0.accessKeyId': ['string', 'credentials'],
  '0.secretAccessKey': ['string', 'credentials'],
  '1': ['object', 'request'],
  '1.key': ['string', 'key'],
  '1.expiresIn': ['number', 'expiresIn'],
  '1.signingDate': ['date', 'signingDate'],
};

const TABLE: Record<string, Entry> = {
  // ------------------------------------------------------------------ cloudspark
  'cloudspark:S3Connection': {
    args: () => [
      { ...connectionOptions(), sts: { durationSeconds: 3600 }, logger: { warn: () => {} }, timeouts: { idle: 1000 } },
    ],
    call: (o) => new S3Connection(o as never),
    checks: {
      '0': ['object', 'options'],
      '0.accessKeyId': ['string', 'credentials'],
      '0.secretAccessKey': ['string', 'credentials'],
      '0.sessionToken': ['header', 'sessionToken'],
      '0.profile': ['string', 'profile'],
      '0.region': ['string', 'region'],
      '0.endpoint': ['string', 'endpoint'],
      '0.forcePathStyle': ['flag', 'forcePathStyle'],
      '0.maxAttempts': ['number', 'maxAttempts'],
      '0.bucket': ['string', 'bucket name'],
      '0.sts': ['object', 'sts'],
      '0.sts.durationSeconds': ['number', 'sts.durationSeconds'],
      '0.logger': ['object', 'logger'],
      '0.logger.warn': ['callback', 'logger.warn'],
      '0.timeouts': ['object', 'timeouts'],
      '0.timeouts.idle': ['number', 'timeouts.idle'],
      '0.correctClockSkew': ['flag', 'correctClockSkew'],
    },
  },
  'cloudspark:S3Connection#deriveKey': {
    args: () => ['tokens'],
    call: method('deriveKey'),
    checks: { '0': ['string', 'purpose'] },
  },
  'cloudspark:S3Connection#connect': {
    args: () => ['my-bucket'],
    call: method('connect'),
    checks: { '0': ['string', 'bucket name'] },
  },
  'cloudspark:S3Connection#getInstance': none(method('getInstance')),
  'cloudspark:S3Connection#close': none(method('close')),
  'cloudspark:S3Connection#getClockOffset': none(method('getClockOffset')),
  'cloudspark:S3Connection#createBucket': {
    args: () => ['my-bucket'],
    call: method('createBucket'),
    checks: { '0': ['string', 'bucket name'] },
  },
  'cloudspark:S3Connection#listBuckets': { args: () => [], call: method('listBuckets'), checks: {} },
  'cloudspark:S3Connection#deleteBucket': { args: () => [], call: method('deleteBucket'), checks: {} },
  'cloudspark:S3Connection#deleteObjects': {
    args: () => [['a.txt', 'b.txt']],
    call: method('deleteObjects'),
    checks: { '0': ['array', 'keys'], '0.0': ['string', 'key'] },
  },
  'cloudspark:S3Connection#copyObject': {
    args: () => ['a.txt', 'b.txt', { sourceBucket: 'other-bucket' }],
    call: method('copyObject'),
    checks: { '0': ['string', 'source'], '1': ['string', 'key'], ...options(2, { sourceBucket: 'string' }) },
  },
  'cloudspark:S3Connection#setBucketCors': {
    args: () => [[{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }]],
    call: method('setBucketCors'),
    checks: {
      '0': ['array', 'CORS rules'],
      '0.0': ['object', 'CORS rule 0'],
      '0.0.AllowedOrigins': ['array', 'CORS rule 0 AllowedOrigins'],
    },
  },
  'cloudspark:S3Connection#getBucketCors': none(method('getBucketCors')),
  'cloudspark:S3Connection#deleteBucketCors': none(method('deleteBucketCors')),
  'cloudspark:S3Connection#setBucketPolicy': {
    args: () => [undefined],
    call: method('setBucketPolicy'),
    checks: { '0': ['object', 'policy'] },
  },
  'cloudspark:S3Connection#getBucketPolicy': none(method('getBucketPolicy')),
  'cloudspark:S3Connection#deleteBucketPolicy': none(method('deleteBucketPolicy')),
  'cloudspark:S3Connection#publicAccess': {
    args: () => [true],
    call: method('publicAccess'),
    checks: { '0': ['flag', 'block'] },
  },
  'cloudspark:S3Connection#getPublicAccess': none(method('getPublicAccess')),
  'cloudspark:S3Connection#listUserPolicies': {
    args: () => ['ada'],
    call: method('listUserPolicies'),
    checks: { '0': ['string', 'userName'] },
  },
  'cloudspark:S3Connection#presignedCreateUrl': {
    args: () => ['k', { params: { owner: 'ada' }, fields: { 'Content-Type': 'image/png' }, conditions: [] }],
    call: method('presignedCreateUrl'),
    checks: {
      ...key,
      ...options(1, { ...presignOptions, params: 'object', fields: 'object', conditions: 'array' }),
      '1.params.owner': ['header', 'params'],
      '1.fields.Content-Type': ['header', 'fields'],
    },
  },
  'cloudspark:S3Connection#presignedGetUrl': {
    args: () => ['k', {}],
    call: method('presignedGetUrl'),
    checks: {
      ...key,
      ...options(1, { ...presignOptions, responseContentDisposition: 'header', responseContentType: 'header' }),
    },
  },
  'cloudspark:S3Connection#presignedPutUrl': {
    args: () => ['k', {}],
    call: method('presignedPutUrl'),
    checks: { ...key, ...options(1, { ...presignOptions, contentType: 'header', contentLength: 'number' }) },
  },
  'cloudspark:S3Connection#presignedDeleteUrl': {
    args: () => ['k', {}],
    call: method('presignedDeleteUrl'),
    checks: { ...key, ...options(1, presignOptions) },
  },
  'cloudspark:S3Connection#presignedUploadPartUrl': {
    args: () => ['k', 'upload-1', 1, {}],
    call: method('presignedUploadPartUrl'),
    checks: {
      ...key,
      '1': ['string', 'uploadId'],
      '2': ['number', 'partNumber'],
      ...options(3, { ...presignOptions, contentLength: 'number' }),
    },
  },
  'cloudspark:S3Connection#uploadObject': {
    args: () => ['body', 'k', { metadata: { owner: 'ada' } }],
    call: method('uploadObject'),
    checks: {
      '0': ['body', 'body'],
      '1': ['string', 'key'],
      ...options(2, {
        contentType: 'header',
        cacheControl: 'header',
        contentDisposition: 'header',
        metadata: 'object',
        partSize: 'number',
        queueSize: 'number',
        onProgress: 'callback',
        signal: 'signal',
      }),
      '2.metadata.owner': ['header', 'metadata'],
    },
  },
  'cloudspark:S3Connection#getObject': {
    args: () => ['k', { range: { start: 0, end: 9 } }],
    call: method('getObject'),
    checks: { ...key, ...options(1, { range: 'object' }), '1.range.end': ['number', 'range'] },
  },
  'cloudspark:S3Connection#downloadObject': {
    args: () => ['k', '/tmp/cloudspark-gate-never-written', { concurrency: 2 }],
    call: method('downloadObject'),
    checks: {
      ...key,
      '1': ['string', 'path'],
      ...options(2, {
        concurrency: 'number',
        partSize: 'number',
        retries: 'number',
        verify: 'flag',
        onProgress: 'callback',
        signal: 'signal',
      }),
    },
  },
  'cloudspark:S3Connection#uploadFile': {
    args: () => ['/tmp/cloudspark-gate-never-read', 'k', { concurrency: 2, metadata: { owner: 'ada' } }],
    call: method('uploadFile'),
    checks: {
      '0': ['string', 'path'],
      '1': ['string', 'key'],
      ...options(2, {
        contentType: 'header',
        cacheControl: 'header',
        contentDisposition: 'header',
        metadata: 'object',
        concurrency: 'number',
        partSize: 'number',
        onProgress: 'callback',
        signal: 'signal',
      }),
      '2.metadata.owner': ['header', 'metadata'],
    },
  },
  'cloudspark:S3Connection#uploadDirectory': {
    args: () => ['/tmp/cloudspark-gate-never-read', 'p/', { concurrency: 2 }],
    call: method('uploadDirectory'),
    checks: {
      '0': ['string', 'dir'],
      '1': ['string', 'prefix'],
      ...options(2, {
        concurrency: 'number',
        partSize: 'number',
        verify: 'flag',
        onProgress: 'callback',
        signal: 'signal',
      }),
    },
  },
  'cloudspark:S3Connection#downloadPrefix': {
    args: () => ['p/', '/tmp/cloudspark-gate-never-written', { concurrency: 2 }],
    call: method('downloadPrefix'),
    checks: {
      '0': ['string', 'prefix'],
      '1': ['string', 'dir'],
      ...options(2, {
        concurrency: 'number',
        partSize: 'number',
        verify: 'flag',
        onProgress: 'callback',
        signal: 'signal',
      }),
    },
  },
  'cloudspark:S3Connection#headObject': { args: () => ['k'], call: method('headObject'), checks: key },
  'cloudspark:S3Connection#deleteObject': { args: () => ['k'], call: method('deleteObject'), checks: key },
  'cloudspark:S3Connection#setObjectHeaders': {
    args: () => ['k', { contentDisposition: 'attachment' }],
    call: method('setObjectHeaders'),
    checks: {
      ...key,
      ...options(1, { contentType: 'header', contentDisposition: 'header', cacheControl: 'header', ifMatch: 'string' }),
    },
  },
  'cloudspark:S3Connection#listObjects': {
    args: () => [{}],
    call: method('listObjects'),
    checks: options(0, { prefix: 'string', pageSize: 'number' }),
  },
  'cloudspark:S3Connection#listFolder': {
    args: () => [{}],
    call: method('listFolder'),
    checks: options(0, { prefix: 'string', pageSize: 'number' }),
  },
  'cloudspark:S3Connection#getObjects': {
    args: () => [{}],
    call: method('getObjects'),
    checks: options(0, { prefix: 'string', pageSize: 'number', onlyKeys: 'flag', onlyObjects: 'flag' }),
  },
  'cloudspark:S3Connection#createMultipartUpload': {
    args: () => ['k', { metadata: { owner: 'ada' } }],
    call: method('createMultipartUpload'),
    checks: {
      ...key,
      ...options(1, {
        contentType: 'header',
        contentDisposition: 'header',
        cacheControl: 'header',
        metadata: 'object',
        signal: 'signal',
      }),
      '1.metadata.owner': ['header', 'metadata'],
    },
  },
  'cloudspark:S3Connection#listParts': {
    args: () => ['k', 'upload-1'],
    call: method('listParts'),
    checks: { ...key, '1': ['string', 'uploadId'] },
  },
  'cloudspark:S3Connection#completeMultipartUpload': {
    args: () => ['k', 'upload-1', [{ partNumber: 1, etag: '"e"' }], {}],
    call: method('completeMultipartUpload'),
    checks: {
      ...key,
      '1': ['string', 'uploadId'],
      '2': ['array', 'parts'],
      '2.0.partNumber': ['number', 'partNumber'],
      '2.0.etag': ['string', 'parts[0].etag'],
      ...options(3, { signal: 'signal' }),
    },
  },
  'cloudspark:S3Connection#abortMultipartUpload': {
    args: () => ['k', 'upload-1'],
    call: method('abortMultipartUpload'),
    checks: { ...key, '1': ['string', 'uploadId'] },
  },
  'cloudspark:S3Connection#listMultipartUploads': {
    args: () => [{}],
    call: method('listMultipartUploads'),
    checks: options(0, { prefix: 'string', olderThan: 'number' }),
  },
  'cloudspark:S3Connection#abortStaleUploads': {
    args: () => [{ olderThan: 0, dryRun: true }],
    call: method('abortStaleUploads'),
    checks: options(0, { olderThan: 'number', prefix: 'string', dryRun: 'flag' }),
  },
  'cloudspark:S3Connection#abortIncompleteUploads': {
    args: () => [{ afterDays: 7 }],
    call: method('abortIncompleteUploads'),
    checks: options(0, { afterDays: 'number' }),
  },
  'cloudspark:S3Connection#getAbortIncompleteUploads': none(method('getAbortIncompleteUploads')),
  'cloudspark:S3Connection#policyDecode': {
    args: () => ['e30='],
    call: method('policyDecode'),
    checks: { '0': ['string', 'policy'] },
  },
  'cloudspark:S3Presigner': {
    args: () => [{ bucket: 'my-bucket', region: 'us-east-1', endpoint: UNREACHABLE, forcePathStyle: true }],
    call: (a) => new S3Presigner(a as never),
    checks: {
      '0': ['object', 'address'],
      '0.bucket': ['string', 'bucket'],
      '0.region': ['string', 'region'],
      '0.endpoint': ['string', 'endpoint'],
      '0.forcePathStyle': ['flag', 'forcePathStyle'],
    },
  },
  'cloudspark:S3Presigner#presignUrl': {
    args: () => [{ ...credentials }, urlRequest()],
    call: (c, r) => presigner().presignUrl(c as never, r as never),
    checks: {
      ...signing,
      '1.method': ['string', 'method'],
      '1.clockOffset': ['number', 'clockOffset'],
      '1.query': ['object', 'query'],
      '1.query.partNumber': ['string', 'query.partNumber'],
      '1.headers': ['object', 'headers'],
      '1.headers.content-type': ['header', 'headers.content-type'],
    },
  },
  'cloudspark:S3Presigner#presignPost': {
    args: () => [{ ...credentials }, postRequest()],
    call: (c, r) => presigner().presignPost(c as never, r as never),
    checks: {
      ...signing,
      '1.fields': ['object', 'fields'],
      '1.fields.Content-Type': ['header', 'fields'],
      '1.conditions': ['array', 'conditions'],
      '1.clockOffset': ['number', 'clockOffset'],
    },
  },
  'cloudspark:defaultCorsRules': none(cloudspark.defaultCorsRules),
  'cloudspark:validateCorsRules': {
    args: () => [[{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }]],
    call: cloudspark.validateCorsRules as Row['call'],
    checks: { '0': ['array', 'CORS rules'] },
  },
  'cloudspark:publicReadPolicy': {
    args: () => ['my-bucket'],
    call: cloudspark.publicReadPolicy as Row['call'],
    checks: { '0': ['string', 'bucket'] },
  },
  'cloudspark:policyDecode': {
    args: () => ['e30='],
    call: cloudspark.policyDecode as Row['call'],
    checks: { '0': ['string', 'policy'] },
  },
  'cloudspark:maskAccessKey': {
    args: () => [ACCESS_KEY_ID],
    call: cloudspark.maskAccessKey as Row['call'],
    checks: { '0': ['string', 'accessKeyId'] },
  },
  'cloudspark:CloudSparkError': 'error class',
  'cloudspark:MAX_PARTS': 'value',
  'cloudspark:MIN_PART_SIZE': 'value',
  'cloudspark:MAX_PART_SIZE': 'value',
  'cloudspark:ABORT_RULE_ID': 'value',
  'cloudspark:CORS_METHODS': 'value',
  'cloudspark:MAX_EXPIRES_IN': 'value',
  'cloudspark:MAX_KEY_BYTES': 'value',

  // ------------------------------------------------------------------ cloudspark/server
  'cloudspark/server:createUploadHandler': {
    args: () => [{ connection: connection(), rules: { maxSize: 1000 } }],
    call: server.createUploadHandler as Row['call'],
    checks: {
      ...options(0, {
        connection: 'object',
        rules: 'object',
        routes: 'object',
        authorize: 'callback',
        onUploadComplete: 'callback',
        onError: 'callback',
        basePath: 'header',
        secret: 'string',
      }),
      '0.rules.maxSize': ['number', 'rules.maxSize'],
      '0.rules.makeKey': ['callback', 'rules.makeKey'],
      '0.rules.keyPrefix': ['string', 'rules.keyPrefix'],
      '0.rules.allowedTypes': ['array', 'rules.allowedTypes'],
      '0.rules.expiresIn': ['number', 'rules.expiresIn'],
    },
  },
  'cloudspark/server:cleanFilename': {
    args: () => ['a.png'],
    call: server.cleanFilename as Row['call'],
    checks: { '0': ['string', 'filename'] },
  },
  'cloudspark/server:typeAllowed': {
    args: () => ['image/png', ['image/*']],
    call: server.typeAllowed as Row['call'],
    checks: { '0': ['string', 'contentType'], '1': ['array', 'patterns'] },
  },
  'cloudspark/server:servedInline': {
    args: () => ['image/png'],
    call: server.servedInline as Row['call'],
    checks: { '0': ['string', 'contentType'] },
  },
  'cloudspark/server:attachmentDisposition': {
    args: () => ['a.pdf'],
    call: server.attachmentDisposition as Row['call'],
    checks: { '0': ['string', 'filename'] },
  },
  'cloudspark/server:matchesContentType': {
    args: () => ['image/png', new Uint8Array(8)],
    call: server.matchesContentType as Row['call'],
    checks: { '0': ['string', 'contentType'], '1': ['bytes', 'head'] },
  },
  'cloudspark/server:toNodeHandler': {
    args: () => [async () => new Response()],
    call: server.toNodeHandler as Row['call'],
    checks: { '0': ['callback', 'handler'] },
  },
  'cloudspark/server:HandlerError': 'error class',
  'cloudspark/server:SNIFFABLE_TYPES': 'value',
  'cloudspark/server:MAX_BODY_BYTES': 'value',

  // ------------------------------------------------------------------ cloudspark/browser
  'cloudspark/browser:uploadFile': {
    args: () => [{ url: 'http://127.0.0.1:1/b', fields: { key: 'k' } }, blob(), { api: '/api/uploads' }],
    call: browser.uploadFile as Row['call'],
    checks: {
      '0': ['object', 'target'],
      '0.url': ['string', 'target.url'],
      '0.fields': ['object', 'target.fields'],
      '0.fields.key': ['header', 'target.fields.key'],
      '1': ['blob', 'file'],
      ...options(2, {
        onProgress: 'callback',
        signal: 'signal',
        stallTimeout: 'number',
        retries: 'number',
        api: 'api',
        route: 'string',
      }),
    },
  },
  'cloudspark/browser:deleteFile': {
    args: () => ['http://127.0.0.1:1/b/k', {}],
    call: browser.deleteFile as Row['call'],
    checks: { '0': ['string', 'url'], ...options(1, { signal: 'signal' }) },
  },
  'cloudspark/browser:uploadMultipart': {
    args: () => [blob(), { api: { url: '/api/uploads', headers: { authorization: 'Bearer x' } } }],
    call: browser.uploadMultipart as Row['call'],
    checks: {
      '0': ['blob', 'file'],
      ...options(1, {
        api: 'api',
        route: 'string',
        partSize: 'number',
        concurrency: 'number',
        retries: 'number',
        onProgress: 'callback',
        signal: 'signal',
        stallTimeout: 'number',
        resume: 'object',
      }),
      '1.api.url': ['string', 'api'],
      '1.api.headers.authorization': ['header', 'api.headers.authorization'],
    },
  },
  'cloudspark/browser:upload': {
    args: () => [blob(), { api: '/api/uploads' }],
    call: browser.upload as Row['call'],
    checks: {
      '0': ['blob', 'file'],
      ...options(1, {
        api: 'api',
        route: 'string',
        multipartFrom: 'number',
        partSize: 'number',
        concurrency: 'number',
        retries: 'number',
        onProgress: 'callback',
        signal: 'signal',
        stallTimeout: 'number',
        resume: 'object',
      }),
    },
  },
  'cloudspark/browser:UploadError': 'error class',
  // A store object (load, save, remove), passed as `resume`: what the gate checks is that option.
  'cloudspark/browser/resume:localResume': 'value',
};

/** Every runtime export of the entry points (cloudspark/react: hooks, tested in the browser tier), and every method of an exported class. */
function exported(): string[] {
  const names: string[] = [];
  for (const [entry, module] of [
    ['cloudspark', cloudspark],
    ['cloudspark/server', server],
    ['cloudspark/browser', browser],
    ['cloudspark/browser/resume', browserResume],
  ] as const) {
    for (const [name, value] of Object.entries(module)) {
      names.push(`${entry}:${name}`);
      const isClass = typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
      if (!isClass) continue;
      for (const member of Object.getOwnPropertyNames(value.prototype as object)) {
        const descriptor = Object.getOwnPropertyDescriptor(value.prototype, member)!;
        if (member !== 'constructor' && typeof descriptor.value === 'function')
          names.push(`${entry}:${name}#${member}`);
      }
    }
  }
  return names.sort();
}

/** `args` with `value` put at `path` (`'1.metadata.owner'`): the value under test in valid arguments. */
function withValue(args: unknown[], path: string, value: unknown): unknown[] {
  const steps = path.split('.');
  let holder = args as unknown as Record<string, unknown>;
  for (const step of steps.slice(0, -1)) holder = holder[step] as Record<string, unknown>;
  holder[steps.at(-1)!] = value;
  return args;
}

/** What calling it did: the error it threw or rejected with (an async iterator's first step included), or undefined. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    let result = call();
    if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result)
      result = (result as unknown as AsyncIterator<unknown>).next();
    await result;
    return undefined;
  } catch (error) {
    return error;
  }
}

const isBrowser = (name: string) => name.startsWith('cloudspark/browser:');
const show = (value: unknown) =>
  typeof value === 'string'
    ? JSON.stringify(value)
    : Array.isArray(value)
      ? '[]'
      : value === null
        ? 'null'
        : typeof value === 'object'
          ? '{}'
          : String(value);

test('the table has a row for every export of the three entry points, and no row for anything else', () => {
  const names = exported();
  assert.deepEqual(
    names.filter((n) => !(n in TABLE)),
    [],
    'exports missing from the input-gate table: add a row for each',
  );
  assert.deepEqual(
    Object.keys(TABLE)
      .filter((n) => !names.includes(n))
      .sort(),
    [],
    'rows for names that are not exported',
  );
});

/**
 * The options interfaces of each row's parameters, from the API reports (api/*.api.md): for a
 * parameter typed `...Options` (or a signing `...Request`, or a `BucketAddress`), in any of the function's overloads, every member it declares or
 * inherits from an interface it extends. A row must check each of them.
 */
function declaredOptions(name: string): Array<{ index: number; member: string }> {
  const [entry, rest] = name.split(':') as [string, string];
  const report = readFileSync(join(repoRoot, 'api', `${entry.replace('/', '-')}.api.md`), 'utf8');
  const [owner, member] = rest.includes('#') ? rest.split('#') : [undefined, rest];
  const scope =
    owner === undefined
      ? report
      : (new RegExp(`export (?:declare )?class ${owner}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(report)?.[1] ?? '');
  const signatures = [
    ...scope.matchAll(
      new RegExp(
        `(?:^|\\n)\\s*(?:export (?:declare )?function |static |async )*${member}(?:<[^(]*>)?\\(([^)]*)\\)`,
        'g',
      ),
    ),
  ].map((m) => m[1]!);
  /** The members of interface `type`, its own and those of the interfaces it extends. */
  const members = (type: string): string[] => {
    const found = new RegExp(`export interface ${type}\\b(?:<[^>]*>)?( extends [^{]*)?\\s*\\{([\\s\\S]*?)\\n\\}`).exec(
      report,
    );
    if (!found) return [];
    const inherited = [...(found[1] ?? '').matchAll(/(\w+)(?:<[^>]*>)?/g)]
      .map((m) => m[1]!)
      .filter((t) => t !== 'extends')
      .flatMap(members);
    return [...inherited, ...[...found[2]!.matchAll(/^ {4}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]!)];
  };
  const out = new Map<string, { index: number; member: string }>();
  for (const signature of signatures) {
    signature.split(/,\s*(?=\w+\??:)/).forEach((param, index) => {
      for (const type of param.matchAll(/\b(\w+Options|\w+Request|BucketAddress)\b/g))
        for (const m of members(type[1]!)) out.set(`${index}.${m}`, { index, member: m });
    });
  }
  return [...out.values()];
}

test("every option a row's parameters declare (per the API report) is checked by that row", () => {
  const missing: string[] = [];
  for (const [name, entry] of Object.entries(TABLE)) {
    if (typeof entry === 'string') continue;
    for (const { index, member } of declaredOptions(name)) {
      const path = `${index}.${member}`;
      if (!Object.keys(entry.checks).some((p) => p === path || p.startsWith(`${path}.`)))
        missing.push(`${name} ${path}`);
    }
  }
  assert.deepEqual(missing, [], 'options no bad value is tried for: add them to the row');
  // The reading of the reports itself: it finds the options it must.
  assert.deepEqual(
    declaredOptions('cloudspark:S3Connection#uploadFile')
      .map((o) => o.member)
      .sort(),
    [
      'cacheControl',
      'concurrency',
      'contentDisposition',
      'contentType',
      'metadata',
      'onProgress',
      'partSize',
      'signal',
    ],
  );
  const handlerOptions = declaredOptions('cloudspark/server:createUploadHandler')
    .map((o) => o.member)
    .sort();
  assert.deepEqual(
    handlerOptions,
    ['authorize', 'basePath', 'connection', 'onError', 'onUploadComplete', 'routes', 'rules', 'secret'],
    'every overload, and what its options inherit',
  );
});

/** `args` with options parameter `index` given `extra` besides what it holds (a new object when left out). */
function withOptions(args: unknown[], index: number, extra: Record<string, unknown>): unknown[] {
  const out = [...args];
  out[index] = { ...((out[index] as Record<string, unknown> | undefined) ?? {}), ...extra };
  return out;
}

test('an option of no known name is refused before any I/O, naming it and the closest known one; every declared option is a known name (Node entry points)', async () => {
  const unchecked: string[] = [];
  for (const [name, entry] of Object.entries(TABLE)) {
    if (typeof entry === 'string' || isBrowser(name)) continue;
    const declared = declaredOptions(name);
    for (const index of new Set(declared.map((o) => o.index))) {
      const members = declared.filter((o) => o.index === index).map((o) => o.member);
      const error = await outcome(() => entry.call(...withOptions(entry.args(), index, { notAnOption: 1 })));
      if (!(
        error instanceof CloudSparkError &&
        error.code === 'INVALID_INPUT' &&
        /has no option "notAnOption"/.test(error.message)
      )) {
        unchecked.push(`${name} ${index}: ${describeError(error)}`);
        continue;
      }
      // A typo of a real one: its last letter dropped.
      const typo = members.find((m) => m.length > 4)!;
      const near = await outcome(() => entry.call(...withOptions(entry.args(), index, { [typo.slice(0, -1)]: 1 })));
      assert.match(
        String((near as Error).message),
        new RegExp(`did you mean "${typo}"`),
        `${name}: ${typo.slice(0, -1)}`,
      );
      // Every declared name passes this check (left undefined: only its own check may refuse it).
      const all = await outcome(() =>
        entry.call(...withOptions(entry.args(), index, Object.fromEntries(members.map((m) => [m, undefined])))),
      );
      assert.doesNotMatch(
        String((all as Error | undefined)?.message),
        /has no option/,
        `${name}: a declared option is not a known name`,
      );
    }
  }
  assert.deepEqual(unchecked, [], 'functions that take an options object with a name they do not know');
});

test('cloudspark/browser: an option of no known name is refused before any request; every declared option is a known name', async () => {
  for (const [name, entry] of Object.entries(TABLE)) {
    if (typeof entry === 'string' || !isBrowser(name)) continue;
    const declared = declaredOptions(name);
    for (const index of new Set(declared.map((o) => o.index))) {
      const error = await outcome(() => entry.call(...withOptions(entry.args(), index, { onprogress: () => {} })));
      assert.ok(
        error instanceof UploadError &&
          error.code === 'INVALID_INPUT' &&
          /^Invalid options: has no option "onprogress"/.test(error.message),
        `${name}: ${describeError(error)}`,
      );
      const members = declared.filter((o) => o.index === index).map((o) => o.member);
      const all = await outcome(() =>
        entry.call(...withOptions(entry.args(), index, Object.fromEntries(members.map((m) => [m, undefined])))),
      );
      assert.doesNotMatch(
        String((all as Error | undefined)?.message),
        /has no option/,
        `${name}: a declared option is not a known name`,
      );
    }
  }
});

test('presignedGetUrl({ expires: 60 }): refused, with "did you mean expiresIn" (it used to sign for 3600 s)', async () => {
  const s3 = connection();
  await assert.rejects(
    s3.presignedGetUrl('k', { expires: 60 } as never),
    (e: InstanceType<typeof CloudSparkError>) =>
      e.code === 'INVALID_INPUT' && /has no option "expires": did you mean "expiresIn"\?/.test(e.message),
  );
  assert.throws(
    () => new S3Connection({ endpointUrl: 'http://127.0.0.1:9000' } as never),
    (e: InstanceType<typeof CloudSparkError>) =>
      e.code === 'INVALID_INPUT' && /has no option "endpointUrl": did you mean "endpoint"\?/.test(e.message),
  );
});

test('the valid arguments of every row pass the gate: the control reaches I/O, or returns', async () => {
  for (const [name, entry] of Object.entries(TABLE)) {
    if (typeof entry === 'string') continue;
    const error = await outcome(() => entry.call(...entry.args()));
    const refused =
      error instanceof CloudSparkError
        ? error.code === 'INVALID_INPUT'
        : error instanceof UploadError && error.code === 'INVALID_INPUT';
    assert.ok(!refused, `${name}: its valid arguments were refused: ${describeError(error)}`);
  }
});

test('error classes never throw, whatever they are given: they report the error at hand', () => {
  assert.equal(new CloudSparkError('INVALID_INPUT', 'x', null as never).code, 'INVALID_INPUT');
  assert.equal(new server.HandlerError(400, 'INVALID_INPUT', 'x').status, 400);
  assert.equal(new UploadError('INVALID_INPUT', 'x').status, 0);
});

let cases = 0;
for (const [name, entry] of Object.entries(TABLE)) {
  if (typeof entry === 'string' || Object.keys(entry.checks).length === 0) continue;
  describe(name, () => {
    for (const [path, [kind, field]] of Object.entries(entry.checks)) {
      for (const value of BAD[kind]) {
        cases++;
        test(`${path} = ${show(value)} is refused: INVALID_INPUT, field ${field}`, async () => {
          const error = await outcome(() => entry.call(...withValue(entry.args(), path, value)));
          if (isBrowser(name)) {
            assert.ok(error instanceof UploadError, `expected an UploadError, got ${describeError(error)}`);
            assert.equal(error.code, 'INVALID_INPUT', error.message);
            assert.ok(error.message.startsWith(`Invalid ${field}:`), `the message names ${field}: ${error.message}`);
          } else {
            assert.ok(error instanceof CloudSparkError, `expected a CloudSparkError, got ${describeError(error)}`);
            assert.equal(error.code, 'INVALID_INPUT', error.message);
            assert.equal(error.field, field, error.message);
          }
        });
      }
    }
  });
}

test('the table is what it claims: one row per export, and cases for every argument kind', () => {
  assert.ok(Object.keys(TABLE).length >= 60, `${Object.keys(TABLE).length} rows`);
  assert.ok(cases >= 400, `${cases} cases`);
});
