/**
 * Bucket configuration checked before it is sent: CORS rules, bucket policies, the POST policy
 * decoder, and content types guessed from keys.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CORS_METHODS, defaultCorsRules, validateCorsRules, type CorsRule } from '../../../../src/s3/rules/cors.js';
import { bucketPolicyJson, policyDecode, publicReadPolicy } from '../../../../src/s3/rules/policy.js';
import { contentTypeFor, DEFAULT_CONTENT_TYPE } from '../../../../src/s3/rules/mime.js';
import { S3Connection, S3Presigner } from '../../../../src/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, UNREACHABLE, deepFreeze, invalid } from '../../helpers.js';

describe('CORS rules', () => {
  const DEFAULT_RULE = {
    AllowedHeaders: ['*'],
    AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
    AllowedOrigins: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  };

  test('the default is the original rule plus ExposeHeaders ETag and MaxAgeSeconds 3000', () => {
    assert.deepEqual(defaultCorsRules(), [DEFAULT_RULE]);
    // The default passes the library's own checks unchanged.
    assert.deepEqual(validateCorsRules(defaultCorsRules()), [DEFAULT_RULE]);
  });

  test('the default is a fresh copy on every call', () => {
    const first = defaultCorsRules();
    first[0]!.AllowedMethods.length = 0;
    first[0]!.ExposeHeaders!.push('x-amz-meta-secret');
    first.push({ AllowedMethods: ['GET'], AllowedOrigins: ['x'] });
    assert.equal(defaultCorsRules().length, 1);
    assert.deepEqual(defaultCorsRules()[0]!.AllowedMethods, ['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);
    assert.deepEqual(defaultCorsRules()[0]!.ExposeHeaders, ['ETag']);
  });

  test('CORS_METHODS are exactly the five S3 allows', () => {
    assert.deepEqual([...CORS_METHODS], ['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);
  });

  test('a full valid rule comes back equal, as a copy that shares no array with the input', () => {
    const rules: CorsRule[] = [
      {
        ID: 'uploads',
        AllowedMethods: ['PUT', 'POST'],
        AllowedOrigins: ['https://*.example.com', 'https://example.com'],
        AllowedHeaders: ['content-type', 'x-amz-*'],
        ExposeHeaders: ['ETag', 'x-amz-version-id'],
        MaxAgeSeconds: 0,
      },
      { AllowedMethods: ['GET'], AllowedOrigins: ['*'] },
    ];
    const snapshot = structuredClone(rules);
    deepFreeze(rules);
    const out = validateCorsRules(rules);
    assert.deepEqual(out, snapshot);
    assert.deepEqual(rules, snapshot);
    assert.notEqual(out, rules);
    out.forEach((rule, i) => {
      const input = rules[i]!;
      assert.notEqual(rule, input);
      assert.notEqual(rule.AllowedMethods, input.AllowedMethods);
      assert.notEqual(rule.AllowedOrigins, input.AllowedOrigins);
      if (input.AllowedHeaders) assert.notEqual(rule.AllowedHeaders, input.AllowedHeaders);
      if (input.ExposeHeaders) assert.notEqual(rule.ExposeHeaders, input.ExposeHeaders);
    });
    // Changing the result leaves the caller's (frozen) rules alone and does not throw.
    out[0]!.AllowedMethods.push('DELETE');
    assert.deepEqual(rules[0]!.AllowedMethods, ['PUT', 'POST']);
  });

  for (const method of ['PATCH', 'OPTIONS', 'CONNECT', 'TRACE', 'get', 'Put', '*']) {
    test(`refuses method ${JSON.stringify(method)}`, () => {
      const rules = [{ AllowedMethods: ['GET', method], AllowedOrigins: ['*'] }];
      assert.throws(() => validateCorsRules(rules), invalid('CORS rule 0 AllowedMethods'));
      assert.throws(
        () => validateCorsRules(rules),
        new RegExp(`"${method.replace('*', '\\*')}" is not one of GET, PUT, POST, DELETE, HEAD`),
      );
    });
  }

  test('an unknown field is refused, with a did-you-mean hint for a wrongly-cased one', () => {
    const camel = [{ allowedMethods: ['GET'], AllowedMethods: ['GET'], AllowedOrigins: ['*'] }];
    assert.throws(() => validateCorsRules(camel), invalid('CORS rule 0'));
    assert.throws(() => validateCorsRules(camel), /unknown field "allowedMethods" \(did you mean "AllowedMethods"\?\)/);
    const maxAge = [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], maxAgeSeconds: 10 }];
    assert.throws(() => validateCorsRules(maxAge), /did you mean "MaxAgeSeconds"/);
    const other = [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], Origins: ['*'] }];
    assert.throws(
      () => validateCorsRules(other),
      (e: Error) => /unknown field "Origins"/.test(e.message) && !/did you mean/.test(e.message),
    );
  });

  test('the index of the faulty rule is named', () => {
    const rules = [
      { AllowedMethods: ['GET'], AllowedOrigins: ['*'] },
      { AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] },
    ];
    assert.throws(() => validateCorsRules(rules), invalid('CORS rule 1 AllowedMethods'));
  });

  test('an empty list, a non-list, and more than 100 rules are refused; 100 are accepted', () => {
    for (const rules of [[], undefined, null, 'GET', { AllowedMethods: ['GET'], AllowedOrigins: ['*'] }]) {
      assert.throws(() => validateCorsRules(rules), invalid('CORS rules'), JSON.stringify(rules));
    }
    const rule = { AllowedMethods: ['GET'], AllowedOrigins: ['*'] };
    assert.equal(validateCorsRules(Array.from({ length: 100 }, () => rule)).length, 100);
    assert.throws(() => validateCorsRules(Array.from({ length: 101 }, () => rule)), invalid('CORS rules'));
  });

  test('each field is checked', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ AllowedMethods: [], AllowedOrigins: ['*'] }, 'CORS rule 0 AllowedMethods'],
      [{ AllowedOrigins: ['*'] }, 'CORS rule 0 AllowedMethods'],
      [{ AllowedMethods: 'GET', AllowedOrigins: ['*'] }, 'CORS rule 0 AllowedMethods'],
      [{ AllowedMethods: ['GET'] }, 'CORS rule 0 AllowedOrigins'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: [] }, 'CORS rule 0 AllowedOrigins'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: [''] }, 'CORS rule 0 AllowedOrigins'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['https://*.*.example.com'] }, 'CORS rule 0 AllowedOrigins'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], AllowedHeaders: [1] }, 'CORS rule 0 AllowedHeaders'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], ExposeHeaders: 'ETag' }, 'CORS rule 0 ExposeHeaders'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAgeSeconds: -1 }, 'CORS rule 0 MaxAgeSeconds'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAgeSeconds: 1.5 }, 'CORS rule 0 MaxAgeSeconds'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAgeSeconds: '3000' }, 'CORS rule 0 MaxAgeSeconds'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], ID: 'x'.repeat(256) }, 'CORS rule 0 ID'],
      [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], ID: 7 }, 'CORS rule 0 ID'],
    ];
    for (const [rule, field] of bad) {
      assert.throws(() => validateCorsRules([rule]), invalid(field), JSON.stringify(rule));
    }
    assert.throws(() => validateCorsRules([null]), invalid('CORS rule 0'));
    assert.throws(() => validateCorsRules([['GET']]), invalid('CORS rule 0'));
  });
});

describe('bucket policies', () => {
  test("publicReadPolicy grants only s3:GetObject on the bucket's objects, to everyone", () => {
    const policy = publicReadPolicy('b');
    assert.deepEqual(policy, {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicReadGetObject',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::b/*',
        },
      ],
    });
    assert.doesNotMatch(JSON.stringify(policy), /s3:\*|"Action":\s*"\*"/);
  });

  test('the public-read policy passes the checks and is sent as this JSON text', () => {
    // The statement of AWS's example "Granting read-only permission to an anonymous user".
    assert.equal(
      bucketPolicyJson(publicReadPolicy('my.bucket'), 'my.bucket'),
      '{"Version":"2012-10-17","Statement":[{"Sid":"PublicReadGetObject","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::my.bucket/*"}]}',
    );
  });

  test('the object form and the string form are both accepted', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: { AWS: ['arn:aws:iam::123456789012:root'] },
          Action: ['s3:DeleteObject'],
          Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::b'],
        },
      ],
    };
    assert.deepEqual(JSON.parse(bucketPolicyJson(doc, 'b')), doc);
    assert.deepEqual(JSON.parse(bucketPolicyJson(JSON.stringify(doc, null, 2), 'b')), doc);
    // A single statement object (not in an array) is valid IAM policy grammar.
    const single = {
      Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    };
    assert.deepEqual(JSON.parse(bucketPolicyJson(single, 'b')), single);
    // NotPrincipal / NotAction / NotResource forms.
    const nots = {
      Statement: [
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: 'x' },
          NotAction: 's3:GetObject',
          NotResource: 'arn:aws:s3:::b/public/*',
        },
      ],
    };
    assert.doesNotThrow(() => bucketPolicyJson(nots, 'b'));
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['malformed JSON text', '{"Statement": [', /not valid JSON/],
    ['JSON text that is not an object', '[1, 2]', /JSON object/],
    ['JSON null', 'null', /JSON object/],
    ['a non-object', 42, /JSON object/],
    ['missing Statement', { Version: '2012-10-17' }, /at least one Statement/],
    ['empty Statement', { Statement: [] }, /at least one Statement/],
    [
      'an unknown Version',
      {
        Version: '2020-01-01',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
      },
      /Version/,
    ],
    [
      'bad Effect',
      { Statement: [{ Effect: 'allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] },
      /Effect/,
    ],
    [
      'missing Effect',
      { Statement: [{ Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] },
      /Effect/,
    ],
    [
      'missing Principal',
      { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] },
      /Principal/,
    ],
    ['missing Action', { Statement: [{ Effect: 'Allow', Principal: '*', Resource: 'arn:aws:s3:::b/*' }] }, /Action/],
    [
      'empty Action list',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: [], Resource: 'arn:aws:s3:::b/*' }] },
      /Action/,
    ],
    ['missing Resource', { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] }, /Resource/],
    [
      'a resource of another bucket',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }] },
      /not in bucket "b"/,
    ],
    [
      'a bucket whose name starts with ours',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bb/*' }] },
      /not in bucket "b"/,
    ],
    [
      'a wildcard over every bucket',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }] },
      /not in bucket "b"/,
    ],
    [
      'one foreign resource among good ones',
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::c/*'],
          },
        ],
      },
      /"arn:aws:s3:::c\/\*"/,
    ],
    ['a statement that is not an object', { Statement: ['Allow'] }, /must be an object/],
  ];
  for (const [what, policy, message] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => bucketPolicyJson(policy, 'b'), invalid(/^policy/));
      assert.throws(() => bucketPolicyJson(policy, 'b'), message);
    });
  }

  test('a dot in the bucket name is matched literally', () => {
    const policy = (resource: string) => ({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: resource }],
    });
    assert.doesNotThrow(() => bucketPolicyJson(policy('arn:aws:s3:::a.b/*'), 'a.b'));
    assert.throws(() => bucketPolicyJson(policy('arn:aws:s3:::aXb/*'), 'a.b'), invalid(/^policy/));
  });

  test("the second statement's problem is reported with its index", () => {
    const good = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
    assert.throws(
      () => bucketPolicyJson({ Statement: [good, { ...good, Effect: 'Maybe' }] }, 'b'),
      invalid('policy Statement 1'),
    );
  });

  test('a policy over 20 KB is refused', () => {
    const resources = Array.from({ length: 800 }, (_, i) => `arn:aws:s3:::b/some/long/prefix/number/${i}/*`);
    const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: resources }] };
    assert.ok(JSON.stringify(policy).length > 20 * 1024);
    assert.throws(() => bucketPolicyJson(policy, 'b'), /20 KB/);
  });
});

describe('policyDecode', () => {
  const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: 'tok/en+=' };
  const title = 'Crème brûlée 😀 \u007f "q" \\ \t';
  const post = new S3Presigner({ bucket: 'example-bucket', region: 'eu-west-1' }).presignPost(credentials, {
    key: 'uploads/café ☕/${filename}',
    fields: { 'Content-Type': 'image/png', 'x-amz-meta-title': title },
    conditions: [
      { 'Content-Type': 'image/png' },
      { 'x-amz-meta-title': title },
      ['content-length-range', 1, 10485760],
      ['starts-with', '$success_action_status', ''],
    ],
    expiresIn: 900,
    signingDate: new Date('2026-11-29T04:30:00Z'),
  });

  // Produced by Python 3.11: json.dumps(json.loads(base64.b64decode(policy)), indent=4)
  const PYTHON =
    '{\n    "expiration": "2026-11-29T04:45:00Z",\n    "conditions": [\n        {\n            "Content-Type": "image/png"\n        },\n        {\n            "x-amz-meta-title": "Cr\\u00e8me br\\u00fbl\\u00e9e \\ud83d\\ude00 \\u007f \\"q\\" \\\\ \\t"\n        },\n        [\n            "content-length-range",\n            1,\n            10485760\n        ],\n        [\n            "starts-with",\n            "$success_action_status",\n            ""\n        ],\n        {\n            "bucket": "example-bucket"\n        },\n        [\n            "starts-with",\n            "$key",\n            "uploads/caf\\u00e9 \\u2615/"\n        ],\n        {\n            "x-amz-algorithm": "AWS4-HMAC-SHA256"\n        },\n        {\n            "x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20261129/eu-west-1/s3/aws4_request"\n        },\n        {\n            "x-amz-date": "20261129T043000Z"\n        },\n        {\n            "x-amz-security-token": "tok/en+="\n        }\n    ]\n}';

  test("decodes a real presigned POST policy exactly as Python's json.dumps(indent=4)", () => {
    assert.equal(policyDecode(post.fields['policy']!), PYTHON);
  });

  test('the decoded text is pure ASCII, 4-space indented, and round-trips to the signed policy', () => {
    const text = policyDecode(post.fields['policy']!);
    assert.match(text, /^[\x00-\x7e]*$/);
    assert.match(text, /^\{\n {4}"expiration"/);
    assert.deepEqual(JSON.parse(text), JSON.parse(Buffer.from(post.fields['policy']!, 'base64').toString('utf8')));
    // The non-ASCII text survives the escaping.
    assert.ok(JSON.stringify(JSON.parse(text)).includes(JSON.stringify(title).slice(1, -1)));
  });

  test('surrounding whitespace is tolerated, and S3Connection#policyDecode is the same function', () => {
    assert.equal(policyDecode(`  ${post.fields['policy']!}\n`), PYTHON);
    const connection = new S3Connection({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      endpoint: UNREACHABLE,
    });
    assert.equal(connection.policyDecode(post.fields['policy']!), PYTHON);
  });

  test('empty arrays and objects are written as Python writes them', () => {
    const encoded = Buffer.from('{"a": [], "b": {}, "c": [1]}').toString('base64');
    assert.equal(policyDecode(encoded), '{\n    "a": [],\n    "b": {},\n    "c": [\n        1\n    ]\n}');
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['text that is not base64', 'not base64!', /not base64/],
    ['base64 of the wrong length', 'abc', /not base64/],
    ['url-safe base64', Buffer.from('{"a": "??>>"}').toString('base64url'), /not base64/],
    ['base64 of text that is not JSON', Buffer.from('hello world').toString('base64'), /not JSON/],
    ['base64 of truncated JSON', Buffer.from('{"expiration": ').toString('base64'), /not JSON/],
    ['an empty string', '', /not JSON/],
    ['a non-string', 42, /not base64/],
  ];
  for (const [what, encoded, message] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => policyDecode(encoded as string), invalid('policy'));
      assert.throws(() => policyDecode(encoded as string), message);
    });
  }
});

describe('content types guessed from the key', () => {
  const cases: Array<[string, string]> = [
    ['photo.png', 'image/png'],
    ['photo.JPG', 'image/jpeg'],
    ['a/b/c/photo.jpeg', 'image/jpeg'],
    ['index.html', 'text/html; charset=utf-8'],
    ['notes.txt', 'text/plain; charset=utf-8'],
    ['data.json', 'application/json'],
    ['app.mjs', 'text/javascript; charset=utf-8'],
    ['doc.pdf', 'application/pdf'],
    ['archive.tar.gz', 'application/gzip'],
    ['icon.svg', 'image/svg+xml'],
    ['font.woff2', 'font/woff2'],
    ['sheet.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ];
  for (const [key, type] of cases) {
    test(`${key} -> ${type}`, () => assert.equal(contentTypeFor(key), type));
  }

  test('no extension, an unknown one, or a dot in a folder name gives application/octet-stream', () => {
    assert.equal(DEFAULT_CONTENT_TYPE, 'application/octet-stream');
    for (const key of ['README', 'file.unknownext', 'dir.d/file', 'v1.2/data', 'trailing.', '.hidden-but-unknown']) {
      assert.equal(contentTypeFor(key), 'application/octet-stream', key);
    }
  });

  test('an extension named like an Object.prototype member (__proto__, constructor) still gives application/octet-stream', () => {
    // The lookup table is an object literal: a key such as "x.constructor" must not find
    // Object.prototype's members (which would be sent to S3 as the Content-Type).
    for (const key of ['a.__proto__', 'a.constructor', 'a.toString', 'a.hasOwnProperty', 'a.valueOf']) {
      assert.equal(typeof contentTypeFor(key), 'string', key);
      assert.equal(contentTypeFor(key), 'application/octet-stream', key);
    }
  });
});
