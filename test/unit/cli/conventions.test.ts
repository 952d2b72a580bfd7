/** The CLI's conventions that need no store: value parsers, exit statuses, the error contract, redaction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CommanderError, InvalidArgumentError } from 'commander';
import { byteSize, duration, formatBytes, keyValue, origin, secondsAsMs, wholeNumber } from '../../../src/cli/parse.js';
import { FileError, InterruptedError, UsageError, fileError, toFailure } from '../../../src/cli/failure.js';
import { Output, redact } from '../../../src/cli/output.js';
import { shellQuote } from '../../../src/cli/context.js';
import { CloudSparkError } from '../../../src/index.js';

test('byteSize: bytes, decimal and binary units; nothing else', () => {
  assert.equal(byteSize('1048576'), 1048576);
  assert.equal(byteSize('10MB'), 10_000_000);
  assert.equal(byteSize('5MiB'), 5 * 2 ** 20);
  assert.equal(byteSize('1.5 GiB'), 1.5 * 2 ** 30);
  assert.equal(byteSize('2k'), 2000);
  for (const bad of ['', 'lots', '-1', '0', '5 parsecs', '1e6'])
    assert.throws(() => byteSize(bad), InvalidArgumentError, bad);
});

test('wholeNumber, keyValue and origin', () => {
  assert.equal(wholeNumber('600'), 600);
  for (const bad of ['', '1.5', '-1', '10s', '99999999999999999999'])
    assert.throws(() => wholeNumber(bad), InvalidArgumentError, bad);
  assert.deepEqual(keyValue('b=x=y', keyValue('a=1')), { a: '1', b: 'x=y' });
  assert.throws(() => keyValue('=v'), InvalidArgumentError);
  assert.equal(origin('http://localhost:3000'), 'http://localhost:3000');
  assert.equal(origin('HTTPS://App.Example'), 'https://app.example');
  for (const bad of [
    'app.example',
    'https://app.example/',
    'https://app.example/x',
    'ftp://app.example',
    'https://a.example?x=1',
  ]) {
    assert.throws(() => origin(bad), InvalidArgumentError, bad);
  }
});

test('--older-than ages and --timeout seconds, in milliseconds', () => {
  assert.deepEqual(
    ['0', '45s', '30m', '12h', '2d', '1w'].map(duration),
    [0, 45_000, 1_800_000, 43_200_000, 172_800_000, 604_800_000],
  );
  for (const bad of ['', '2', '2 days', '-1d', '1.5h', 'd', '2y'])
    assert.throws(() => duration(bad), InvalidArgumentError, bad);
  assert.deepEqual(['60', '2.5', '0.001'].map(secondsAsMs), [60_000, 2500, 1]);
  for (const bad of ['', '0', '0.0001', '-1', '1e3', '10s', 'soon'])
    assert.throws(() => secondsAsMs(bad), InvalidArgumentError, bad);
});

test('formatBytes and shellQuote', () => {
  assert.deepEqual([0, 1023, 1536, 12 * 2 ** 20, 200 * 2 ** 30].map(formatBytes), [
    '0 B',
    '1023 B',
    '1.5 KiB',
    '12 MiB',
    '200 GiB',
  ]);
  assert.equal(shellQuote('https://app.example'), 'https://app.example');
  assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
});

test('exit statuses: 0 for --help/--version, 2 for usage and INVALID_INPUT, 130 for Ctrl-C, else 1', () => {
  const none = () => undefined;
  assert.equal(toFailure(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), none).exitCode, 0);
  assert.deepEqual(toFailure(new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'"), none), {
    exitCode: 2,
    error: {
      code: 'USAGE',
      message: "unknown command 'x'",
      hint: 'see cloudspark --help, or cloudspark COMMAND --help',
    },
  });
  assert.equal(toFailure(new UsageError('no bucket'), none).exitCode, 2);
  assert.equal(toFailure(new CloudSparkError('INVALID_INPUT', 'Invalid key', { field: 'key' }), none).exitCode, 2);
  assert.equal(toFailure(new CloudSparkError('ABORTED', 'cancelled'), none).exitCode, 130);
  assert.equal(toFailure(new InterruptedError('cancelled'), none).exitCode, 130);
  assert.deepEqual(toFailure(new FileError('cannot read'), none), {
    exitCode: 1,
    error: { code: 'FILE', message: 'cannot read' },
  });
  const denied = toFailure(
    new CloudSparkError('ACCESS_DENIED', 'denied', { status: 403, s3Code: 'AccessDenied', requestId: 'r1' }),
    () => 'a hint',
  );
  assert.deepEqual(denied, {
    exitCode: 1,
    error: {
      code: 'ACCESS_DENIED',
      message: 'denied',
      hint: 'a hint',
      status: 403,
      s3Code: 'AccessDenied',
      field: undefined,
      requestId: 'r1',
    },
  });
  const timeout = new CloudSparkError(
    'TIMEOUT',
    'ls() failed: no answer from http://h for 2 s (3 attempts); raise timeouts.idle if the store is only slow',
    { field: 'timeouts.idle' },
  );
  assert.deepEqual(
    toFailure(timeout, () => 'wait longer: --timeout SECONDS'),
    {
      exitCode: 1,
      // The library's advice names its option; the CLI's hint names its own.
      error: {
        code: 'TIMEOUT',
        message: 'ls() failed: no answer from http://h for 2 s (3 attempts)',
        hint: 'wait longer: --timeout SECONDS',
        status: undefined,
        s3Code: undefined,
        field: 'timeouts.idle',
        requestId: undefined,
      },
    },
  );
  assert.deepEqual(toFailure(new TypeError('oops'), none), {
    exitCode: 1,
    error: { code: 'INTERNAL', message: 'unexpected error: oops' },
  });
  assert.equal(
    fileError(Object.assign(new Error('x'), { code: 'EACCES' }), 'cannot write "f"').message,
    'cannot write "f": permission denied',
  );
  // A file error with no errno behind it (a file that shrank while it was read) never crashes the report.
  assert.equal(
    fileError(new Error('it became shorter while it was read'), 'cannot upload "f"').message,
    'cannot upload "f": it became shorter while it was read',
  );
  assert.equal(fileError(undefined, 'cannot upload "f"').message, 'cannot upload "f": unknown error');
});

function capture(mode: { json: boolean; quiet: boolean }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = new Output(mode, { stdout, stderr });
  const read = (s: PassThrough) => String(s.read() ?? '');
  return { out, stdout: () => read(stdout), stderr: () => read(stderr) };
}

test('Output: results on stdout, messages on stderr (not with --quiet), errors on both with --json', () => {
  const text = capture({ json: false, quiet: false });
  text.out.result({ a: 1 }, () => 'a is 1');
  text.out.info('did it');
  text.out.error({ code: 'NO_SUCH_KEY', message: 'gone', hint: 'look elsewhere' });
  assert.equal(text.stdout(), 'a is 1\n');
  assert.equal(text.stderr(), 'did it\ncloudspark: gone\n  hint: look elsewhere\n');

  const json = capture({ json: true, quiet: true });
  json.out.result({ a: 1 }, () => 'a is 1');
  json.out.info('did it');
  json.out.error({ code: 'NO_SUCH_KEY', message: 'gone' });
  assert.equal(json.stdout(), '{"a":1}\n{"error":{"code":"NO_SUCH_KEY","message":"gone"}}\n');
  assert.equal(json.stderr(), 'cloudspark: gone\n');
  assert.equal(json.out.showsProgress, false);
});

test('redact blanks the secret key and session token of the environment from messages', () => {
  const saved = { ...process.env };
  try {
    process.env['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env['AWS_SESSION_TOKEN'] = 'session-token-value';
    assert.equal(redact('k=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY t=session-token-value'), 'k=**** t=****');
  } finally {
    process.env = saved;
  }
});
