/**
 * Where a bucket lives: the URL origin, the Host header that is signed, and the path prefix
 * in front of object keys. Follows what boto3 does, so that URLs match it byte for byte.
 */
import { invalidInput } from '../errors.js';
import { assertBucketName, assertFlag, isPlainObject, knownOptionsOf } from '../validate.js';

/** A bucket and where to reach it: what `S3Presigner` is made for. */
export interface BucketAddress {
  /** The bucket's name. */
  bucket: string;
  /** The bucket's region, which the signature names (`us-east-1` for most S3-compatible stores). */
  region: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:7480`); absent for Amazon S3. */
  endpoint?: string | undefined;
  /** `bucket` in the path rather than the host name. Default: true with `endpoint`, else false. */
  forcePathStyle?: boolean | undefined;
}

/** Where requests for a bucket go, as resolved from its {@link BucketAddress}. */
export interface BucketLocation {
  /** `https://examplebucket.s3.amazonaws.com` */
  origin: string;
  /** The Host header value: host name plus a non-default port. */
  host: string;
  /** `''` for virtual-hosted style, `/bucket` for path style (after any endpoint path). */
  basePath: string;
}

/** Where requests for the bucket at `address` go; every field of `address` is checked first. */
export function resolveBucketLocation(address: BucketAddress): BucketLocation {
  if (!isPlainObject(address))
    throw invalidInput('address', 'must be an object such as { bucket: "my-bucket", region: "us-east-1" }');
  const { bucket, region } = knownOptionsOf(address, ['bucket', 'region', 'endpoint', 'forcePathStyle'], 'address');
  assertBucketName(bucket, 'bucket');
  if (typeof region !== 'string' || !/^[a-z0-9-]+$/.test(region))
    throw invalidInput('region', `must be a region name like "eu-west-1"`);
  if (address.endpoint !== undefined && typeof address.endpoint !== 'string')
    throw invalidInput('endpoint', 'must be a URL such as http://127.0.0.1:7480');
  assertFlag(address.forcePathStyle, 'forcePathStyle');
  const pathStyle = address.forcePathStyle ?? address.endpoint !== undefined;

  if (address.endpoint !== undefined) {
    const url = parseEndpoint(address.endpoint);
    const prefix = url.pathname.replace(/\/+$/, '');
    if (pathStyle) {
      return { origin: url.origin, host: url.host, basePath: `${prefix}/${bucket}` };
    }
    const host = `${bucket}.${url.host}`;
    return { origin: `${url.protocol}//${host}`, host, basePath: prefix };
  }

  // As boto3: path style goes to the regional endpoint (us-east-1's is the global one), while
  // virtual-hosted URLs always use the global host name, which S3 routes to any region.
  if (pathStyle || bucket.includes('.')) {
    // A bucket name with dots breaks the TLS wildcard certificate as a host label.
    const s3Host = region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
    return { origin: `https://${s3Host}`, host: s3Host, basePath: `/${bucket}` };
  }
  const host = `${bucket}.s3.amazonaws.com`;
  return { origin: `https://${host}`, host, basePath: '' };
}

/** Checks an S3-compatible endpoint URL; the same check serves the connection's constructor. */
export function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // Not echoed: a malformed endpoint may carry credentials in it.
    throw invalidInput('endpoint', 'is not a valid URL (expected e.g. http://127.0.0.1:7480)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidInput('endpoint', 'must be an http: or https: URL');
  if (url.search || url.hash || url.username || url.password) {
    throw invalidInput('endpoint', 'must not contain credentials, a query or a fragment');
  }
  return url;
}
