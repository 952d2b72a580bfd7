/**
 * The AWS SDK's Node-version notice ("NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)
 * versions published after ..."): the library keeps it off the console and hands it to its
 * logger, without silencing the host application's own SDK clients or warnings.
 *
 * The SDK sends the notice once per process, on its first client, so each case runs in a fresh
 * Node process. Constructing a client sends nothing over the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../../support/fixtures.js';

// AWS's announcement: SDK releases after the first week of January 2027 require Node.js >= 22,
// and the SDK warns about it on older versions only (it reads `process.version`). Each child
// poses as Node 20, so the routing is tested on every Node, 22 and later included.
const POSE_AS_NODE_20 = `Object.defineProperty(process, 'version', { value: 'v20.0.0', configurable: true, enumerable: true });`;
const NOTICE = /NodeVersionSupportWarning: The AWS SDK for JavaScript \(v3\)/;

/**
 * Runs `body` in a fresh process, with `lib` (the library), `S3Client` (the host's own SDK
 * class), `ours()` (a connection whose client `await ours().connect()` makes) and `warns` (what
 * that connection's logger received) in scope. Returns the process's stderr and `warns`.
 */
function host(body: string): { stderr: string; warns: string[] } {
  const script = `
    ${POSE_AS_NODE_20}
    const lib = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src', 'index.ts')).href)});
    const { S3Client } = await import('@aws-sdk/client-s3');
    const warns = [];
    const ours = () => new lib.S3Connection({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', endpoint: 'http://127.0.0.1:1', bucket: 'b-b', logger: { warn: (m) => warns.push(m) } });
    ${body}
    // Node prints a warning on the next tick: let it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.stdout.write(JSON.stringify(warns));
  `;
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'us-east-1' };
  // Either would hide the notice from the host, whatever the library does.
  delete env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
  delete env['NODE_NO_WARNINGS'];
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return { stderr: run.stderr, warns: JSON.parse(run.stdout) as string[] };
}

const notices = (stderr: string) => stderr.split('\n').filter((line) => NOTICE.test(line)).length;

test('our client first: the notice goes to our logger, in one line, and nothing is printed', () => {
  const { stderr, warns } = host(
    'const a = ours(); await a.connect(); a.close(); const b = ours(); await b.connect(); b.close();',
  );
  assert.equal(stderr, '');
  assert.equal(warns.length, 1, 'once per process');
  assert.match(
    warns[0]!,
    /^\[aws-sdk\] NodeVersionSupportWarning: The AWS SDK for JavaScript \(v3\) versions published after the first week of January 2027 will require node >=22\. You are running node v20\.0\.0\. /,
  );
});

test("the host's own client first: it gets its notice on stderr, and our client adds nothing", () => {
  const { stderr, warns } = host('new S3Client({}); const a = ours(); await a.connect(); a.close();');
  assert.equal(notices(stderr), 1, stderr);
  assert.deepEqual(warns, []);
});

test("after our client is made, the host's own warnings print, and process.emitWarning is the host's again", () => {
  const { stderr } = host(`
    const original = process.emitWarning;
    const a = ours();
    await a.connect();
    a.close();
    if (process.emitWarning !== original) throw new Error('process.emitWarning was left replaced');
    process.emitWarning('the host warns about something else');
  `);
  assert.match(stderr, /Warning: the host warns about something else/);
  assert.equal(notices(stderr), 0);
});

test("the host's client made after ours gets no second notice: the SDK sends it once per process", () => {
  // Not the library's doing: the SDK's own once-per-process rule, the same as between two host
  // clients. The notice went to our logger (docs/connection.md, "The connection": logger).
  const { stderr, warns } = host('const a = ours(); await a.connect(); a.close(); new S3Client({});');
  assert.equal(notices(stderr), 0, stderr);
  assert.equal(warns.length, 1);
});
