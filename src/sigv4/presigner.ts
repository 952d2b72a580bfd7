/**
 * The presigning core: query-string SigV4 URLs and browser POST policies for one bucket.
 * No network, no SDK: `node:crypto` only. What changes per call is the key, the clock and the
 * lifetime; everything else (host, scope strings, signing key) is computed once and reused.
 */
import {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  credentialScope,
  hmacHex,
  sha256Hex,
  toAmzDate,
  uriEncode,
  uriEncodePath,
} from './primitives.js';
import { SigningKeyCache } from './signing-key.js';
import { resolveBucketLocation, type BucketAddress, type BucketLocation } from './location.js';
import { pythonJsonDumps, type JsonValue } from './python-json.js';
import { assertPostConditions, assertPostFields, type PostCondition } from './post-policy.js';
import { assertDate, assertExpiresIn, assertKey } from '../validate.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary (STS) credentials. */
  sessionToken?: string | undefined;
}

export type PresignMethod = 'GET' | 'PUT' | 'DELETE' | 'HEAD';

export interface PresignUrlRequest {
  method: PresignMethod;
  key: string;
  /** Seconds, 1 to 604800. */
  expiresIn: number;
  /** The signing clock; defaults to now. */
  signingDate?: Date | undefined;
}

export interface PresignPostRequest {
  key: string;
  /** Form fields to send along (`Content-Type`, `x-amz-meta-*`, ...). */
  fields?: Readonly<Record<string, string>> | undefined;
  /** Policy conditions, in boto3's form. */
  conditions?: readonly PostCondition[] | undefined;
  expiresIn: number;
  signingDate?: Date | undefined;
}

/** A presigned POST: the form's `action` URL and the fields to send before the file. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

const FILENAME_VARIABLE = '${filename}';

export class S3Presigner {
  readonly location: BucketLocation;
  readonly bucket: string;
  readonly region: string;
  readonly #keys = new SigningKeyCache();
  // Per-second and per-day strings, rebuilt only when the clock or credentials move on.
  #lastSecond = Number.NaN;
  #lastAmzDate = '';
  #lastCredentialFor = '';
  #lastCredentialParam = '';
  #lastToken: string | undefined;
  #lastTokenParam = '';

  constructor(address: BucketAddress) {
    this.bucket = address.bucket;
    this.region = address.region;
    this.location = resolveBucketLocation(address);
  }

  /** A presigned URL, as boto3's `generate_presigned_url` (signature v4) would produce it. */
  presignUrl(credentials: Credentials, request: PresignUrlRequest): string {
    const { method, key, expiresIn } = request;
    assertKey(key);
    assertExpiresIn(expiresIn);
    const amzDate = this.#amzDate(request.signingDate);
    const scope = credentialScope(amzDate.slice(0, 8), this.region, 's3');
    const signingKey = this.#keys.get(credentials.secretAccessKey, amzDate.slice(0, 8), this.region, 's3');

    const { origin, host, basePath } = this.location;
    const path = `${basePath}/${uriEncodePath(key)}`;
    // boto3 puts the session token after SignedHeaders in the URL, while the canonical query
    // (which is sorted) has it before; both orders are reproduced exactly.
    const head =
      `X-Amz-Algorithm=${ALGORITHM}` +
      `&X-Amz-Credential=${this.#credentialParam(credentials.accessKeyId, scope)}` +
      `&X-Amz-Date=${amzDate}` +
      `&X-Amz-Expires=${expiresIn}`;
    const token = credentials.sessionToken === undefined ? '' : `&X-Amz-Security-Token=${this.#tokenParam(credentials.sessionToken)}`;
    const canonicalQuery = `${head}${token}&X-Amz-SignedHeaders=host`;
    const urlQuery = `${head}&X-Amz-SignedHeaders=host${token}`;

    const canonicalRequest = `${method}\n${path}\n${canonicalQuery}\nhost:${host}\n\nhost\n${UNSIGNED_PAYLOAD}`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    return `${origin}${path}?${urlQuery}&X-Amz-Signature=${hmacHex(signingKey, stringToSign)}`;
  }

  /** A presigned POST, as boto3's `generate_presigned_post` would produce it. */
  presignPost(credentials: Credentials, request: PresignPostRequest): PresignedPost {
    const { key, expiresIn } = request;
    assertKey(key);
    assertExpiresIn(expiresIn);
    assertPostFields(request.fields);
    assertPostConditions(request.conditions);
    const signingDate = request.signingDate ?? new Date();
    const amzDate = this.#amzDate(signingDate);
    const dateStamp = amzDate.slice(0, 8);
    const credential = `${credentials.accessKeyId}/${credentialScope(dateStamp, this.region, 's3')}`;

    const fields: Record<string, string> = { ...request.fields };
    const conditions: JsonValue[] = (request.conditions ?? []).map(copyCondition);
    conditions.push({ bucket: this.bucket });
    if (key.endsWith(FILENAME_VARIABLE)) {
      conditions.push(['starts-with', '$key', key.slice(0, -FILENAME_VARIABLE.length)]);
    } else {
      conditions.push({ key });
    }
    fields['key'] = key;
    const signed: [string, string][] = [
      ['x-amz-algorithm', ALGORITHM],
      ['x-amz-credential', credential],
      ['x-amz-date', amzDate],
    ];
    if (credentials.sessionToken !== undefined) signed.push(['x-amz-security-token', credentials.sessionToken]);
    for (const [name, value] of signed) {
      fields[name] = value;
      conditions.push({ [name]: value });
    }

    const expiration = new Date(signingDate.getTime() + expiresIn * 1000).toISOString().slice(0, 19) + 'Z';
    const policy = Buffer.from(pythonJsonDumps({ expiration, conditions }), 'utf8').toString('base64');
    const signingKey = this.#keys.get(credentials.secretAccessKey, dateStamp, this.region, 's3');
    fields['policy'] = policy;
    fields['x-amz-signature'] = hmacHex(signingKey, policy);

    const { origin, basePath } = this.location;
    return { url: origin + (basePath || '/'), fields };
  }

  #amzDate(signingDate: Date | undefined): string {
    const date = signingDate ?? new Date();
    if (signingDate !== undefined) assertDate(signingDate);
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.#lastSecond) {
      this.#lastSecond = second;
      this.#lastAmzDate = toAmzDate(date);
    }
    return this.#lastAmzDate;
  }

  #credentialParam(accessKeyId: string, scope: string): string {
    const credential = `${accessKeyId}/${scope}`;
    if (credential !== this.#lastCredentialFor) {
      this.#lastCredentialFor = credential;
      this.#lastCredentialParam = uriEncode(credential);
    }
    return this.#lastCredentialParam;
  }

  #tokenParam(token: string): string {
    if (token !== this.#lastToken) {
      this.#lastToken = token;
      this.#lastTokenParam = uriEncode(token);
    }
    return this.#lastTokenParam;
  }
}

function copyCondition(condition: PostCondition): JsonValue {
  return Array.isArray(condition) ? ([...condition] as JsonValue[]) : { ...(condition as Record<string, string>) };
}
