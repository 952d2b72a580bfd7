/**
 * Where the demo and the tour run: the store named by the environment (S3_ENDPOINT, or AWS
 * credentials), or else a throw-away Ceph RGW started on this machine (installing Debian's
 * packages first when they are missing and it runs as root), stopped by `stop()`.
 */
import { maskAccessKey, type S3ConnectionOptions } from '../src/index.js';
import { startRgw, stopRgw } from '../scripts/rgw/rgw.mjs';

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

export interface Store {
  options: S3ConnectionOptions;
  label: string;
  userName: string | undefined;
  stsWorks: boolean;
  stop(): void;
}

export function chooseStore(): Store {
  const env = process.env;
  if (env['S3_ENDPOINT'] || env['AWS_ACCESS_KEY_ID'] || env['AWS_PROFILE']) {
    return {
      options: { endpoint: env['S3_ENDPOINT'] || undefined, region: env['AWS_REGION'] },
      label: env['S3_ENDPOINT']
        ? `S3-compatible store at ${env['S3_ENDPOINT']}`
        : 'Amazon S3 (credentials from the environment)',
      userName: env['CLOUDSPARK_IAM_USER'],
      stsWorks: env['CLOUDSPARK_TOUR_STS'] === '1',
      stop: () => {},
    };
  }
  console.log(dim('No S3_ENDPOINT or AWS credentials set: starting a throw-away Ceph RGW on 127.0.0.1 ...'));
  const rgw = startRgw();
  return {
    options: {
      endpoint: rgw.endpoint,
      region: rgw.region,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    },
    label: `local Ceph RGW at ${rgw.endpoint} (started in ${rgw.seconds.toFixed(1)} s, key ${maskAccessKey(rgw.accessKeyId)})`,
    userName: rgw.userName,
    stsWorks: true,
    stop: () => stopRgw(rgw.dir),
  };
}
