/** --help for every command, and the usage errors that exit 2 before anything is sent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertExit, cli, json } from '../support/cli.js';

const COMMANDS = [
  'bucket create',
  'cors get',
  'cors set',
  'cors delete',
  'policy get',
  'policy set',
  'policy delete',
  'policy decode',
  'public-access block',
  'public-access allow',
  'public-access status',
  'presign post',
  'presign get',
  'presign put',
  'presign delete',
  'put',
  'get',
  'head',
  'rm',
  'ls',
  'iam list-user-policies',
  'doctor',
];

test('--help of the program lists every command and the exit statuses, on stdout, exit 0', async () => {
  const run = await cli(['--help']);
  assertExit(run, 0);
  for (const name of [
    'bucket',
    'cors',
    'policy',
    'public-access',
    'presign',
    'put',
    'get',
    'head',
    'rm',
    'ls',
    'iam',
    'doctor',
  ]) {
    assert.match(run.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
  }
  assert.match(run.stdout, /2 usage error/);
  assert.equal(run.stderr, '');
});

test('every command has --help with examples (exit 0)', async () => {
  const runs = await Promise.all(COMMANDS.map((c) => cli([...c.split(' '), '--help'])));
  runs.forEach((run, i) => {
    assertExit(run, 0);
    assert.match(run.stdout, new RegExp(`^Usage: cloudspark ${COMMANDS[i]}\\b`, 'm'), COMMANDS[i]);
    assert.match(run.stdout, /\nExamples:\n {2}\$ cloudspark /, COMMANDS[i]);
  });
});

test('--version prints the version of package.json', async () => {
  const run = await cli(['--version']);
  assertExit(run, 0);
  assert.match(run.stdout, /^\d+\.\d+\.\d+\S*\n$/);
});

/** Usage errors: status 2, a `cloudspark:` line on stderr, nothing on stdout (but the error, with --json). */
const usageErrors: Array<[string, string[], RegExp]> = [
  ['an unknown command', ['frob'], /unknown command 'frob'/],
  ['a misspelt command, with a suggestion', ['doctr'], /Did you mean doctor\?/],
  ['an unknown option', ['ls', '--colour'], /unknown option '--colour'/],
  ['a missing argument', ['head'], /missing required argument 'key'/],
  ['a missing subcommand', ['cors'], /a command is missing/],
  ['a missing required option', ['doctor', '--bucket', 'b-b'], /required option '--origin <url>'/],
  [
    'a bad --expires',
    ['presign', 'get', 'k', '--bucket', 'b-b', '--expires', 'soon'],
    /--expires <seconds>.*'soon' is invalid/,
  ],
  [
    'a bad --max-size',
    ['presign', 'post', 'k', '--bucket', 'b-b', '--max-size', 'lots'],
    /--max-size <bytes>.*'lots' is invalid/,
  ],
  ['a bad --meta', ['presign', 'post', 'k', '--bucket', 'b-b', '--meta', 'novalue'], /expected name=value/],
  [
    'an origin with a path',
    ['doctor', '--bucket', 'b-b', '--origin', 'https://app.example/page'],
    /expected an origin/,
  ],
  [
    'options that exclude each other',
    ['cors', 'set', '--bucket', 'b-b', '--file', 'r.json', '--origin', 'https://a.example'],
    /cannot be used with/,
  ],
  [
    'no bucket',
    ['head', 'k'],
    /no bucket given: pass --bucket NAME, set CLOUDSPARK_BUCKET, or name it: s3:\/\/BUCKET\/KEY/,
  ],
  ['get to stdout with --json', ['get', 'k', '-', '--bucket', 'b-b', '--json'], /choose one/],
  ['put from stdin without a key', ['put', '-', '--bucket', 'b-b'], /put - needs a key/],
  // Refused by the library before any request: still the command line's fault.
  [
    'an expiry beyond 7 days, named as the flag',
    ['presign', 'get', 'k', '--bucket', 'b-b', '--expires', '999999'],
    /invalid --expires: must be a whole number of seconds from 1 to 604800 \(7 days\), got 999999/,
  ],
  [
    'a part size under 5 MiB, named as the flag',
    ['put', 'package.json', 'k', '--bucket', 'b-b', '--part-size', '1'],
    /invalid --part-size: /,
  ],
  [
    'an endpoint that is no URL, shown in the hint',
    ['ls', '--bucket', 'b-b', '--endpoint', '127.0.0.1:9000'],
    /invalid --endpoint: is not a valid URL[\s\S]*hint: the endpoint given: "127\.0\.0\.1:9000"/,
  ],
  ['an invalid bucket name', ['ls', '--bucket', 'Not_A_Bucket'], /Invalid bucket/],
  ['a POST policy that is not base64', ['policy', 'decode', 'not base64!'], /is not base64/],
];

for (const [what, args, message] of usageErrors) {
  test(`usage error, exit 2: ${what}`, async () => {
    const run = await cli(args);
    assertExit(run, 2);
    assert.match(run.stderr, /^cloudspark: /m);
    assert.match(run.stderr, message);
    if (args.includes('--json')) assert.equal(json<{ error: { code: string } }>(run).error.code, 'USAGE');
    else assert.equal(run.stdout, '');
  });
}

test('with --json a usage error is also a JSON error object on stdout', async () => {
  const run = await cli(['--json', 'xyzzy']);
  assertExit(run, 2);
  assert.deepEqual(json(run), {
    error: {
      code: 'USAGE',
      message: "unknown command 'xyzzy'",
      hint: 'see cloudspark --help, or cloudspark COMMAND --help',
    },
  });
  const invalid = await cli(['presign', 'get', 'k', '--bucket', 'b-b', '--expires', '999999', '--json']);
  assertExit(invalid, 2);
  assert.equal(json<{ error: { code: string; field: string } }>(invalid).error.code, 'INVALID_INPUT');
  assert.equal(json<{ error: { code: string; field: string } }>(invalid).error.field, 'expiresIn');
});

test('--quiet keeps the error itself', async () => {
  const run = await cli(['--quiet', 'head']);
  assertExit(run, 2);
  assert.match(run.stderr, /missing required argument/);
});
