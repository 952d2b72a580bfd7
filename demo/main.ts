/**
 * `npm start`: the demo app. Direct browser uploads to a bucket, with progress, cancel, listing,
 * download and delete. Uses S3_ENDPOINT or AWS credentials when set (bucket: CLOUDSPARK_BUCKET,
 * default `cloudspark-demo`); otherwise starts a throw-away Ceph RGW and stops it on exit.
 * PORT chooses the page's port (default 8080, or any free one if that is taken).
 */
import { chooseStore } from './store.js';
import { startDemo, type Demo } from './server.js';

const store = chooseStore();
let demo: Demo | undefined;
const stop = async () => {
  await demo?.close();
  store.stop();
  process.exit(0);
};
process.on('SIGINT', stop).on('SIGTERM', stop);

try {
  const bucket = process.env['CLOUDSPARK_BUCKET'] ?? 'cloudspark-demo';
  const port = Number(process.env['PORT'] ?? 8080);
  const start = (p: number) => startDemo({ s3: store.options, bucket, port: p });
  demo = await start(port).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    console.log(`Port ${port} is taken: using a free one.`);
    return start(0);
  });
  console.log(`\nStorage: ${store.label}, bucket "${bucket}"`);
  console.log(
    `\n  cloudspark demo: ${demo.url}\n\nOpen it in a browser. Ctrl-C stops the demo${store.options.accessKeyId ? ' and the local RGW' : ''}.`,
  );
} catch (error) {
  console.error('The demo could not start:', error instanceof Error ? error.message : error);
  store.stop();
  process.exit(1);
}
