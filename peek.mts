import http from 'node:http';
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-length': '1000000' }); res.write(Buffer.alloc(100000)); setTimeout(() => res.socket?.destroy(), 50); });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as any;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['/work/cli/dist/esm/cli.js', 'get', 'cut/x', '/tmp/peek.out', '--bucket', 'b-b'], { env: { ...process.env, S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) }, encoding: 'utf8' });
  console.log(r.status, r.stderr);
  server.close(); server.closeAllConnections();
});
