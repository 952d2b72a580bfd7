/**
 * listUserPolicies() follows IAM's Marker/IsTruncated paging. Ceph RGW returns every name in
 * one page whatever MaxItems says (checked: the RGW tier lists names it put there), so paging
 * is shown here with a local stand-in that answers as AWS IAM does, in pages of two.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Connection } from '../../../../src/index.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY } from '../../helpers.js';

const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
/** What each request asked for: collected here, asserted by the test (a throw in the handler would be an uncaught exception). */
const requests: Array<{ action: string | null; userName: string | null; marker: string | null }> = [];
let server: http.Server;
let endpoint = '';

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const marker = form.get('Marker');
      requests.push({ action: form.get('Action'), userName: form.get('UserName'), marker });
      const start = marker === null ? 0 : Number(marker.slice('page-'.length));
      const page = NAMES.slice(start, start + 2);
      const more = start + 2 < NAMES.length;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<ListUserPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUserPoliciesResult>' +
          `<PolicyNames>${page.map((n) => `<member>${n}</member>`).join('')}</PolicyNames>` +
          `<IsTruncated>${more}</IsTruncated>${more ? `<Marker>page-${start + 2}</Marker>` : ''}` +
          '</ListUserPoliciesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListUserPoliciesResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('listUserPolicies() returns the names of every page, following the Marker', async () => {
  const conn = new S3Connection({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, endpoint });
  assert.deepEqual(await conn.listUserPolicies('ada'), NAMES);
  assert.deepEqual(requests, [
    { action: 'ListUserPolicies', userName: 'ada', marker: null },
    { action: 'ListUserPolicies', userName: 'ada', marker: 'page-2' },
    { action: 'ListUserPolicies', userName: 'ada', marker: 'page-4' },
  ]);
});
