/** The SigV4 presigning core: pure functions and one small class, `node:crypto` only. */
export { S3Presigner } from './presigner.js';
export type { Credentials, PresignMethod, PresignUrlRequest, PresignPostRequest, PresignedPost } from './presigner.js';
export type { PostCondition } from './post-policy.js';
export { assertPostConditions, assertPostFields, copyFields } from './post-policy.js';
export type { BucketAddress, BucketLocation } from './location.js';
export { parseEndpoint, resolveBucketLocation } from './location.js';
export { deriveSigningKey, SigningKeyCache } from './signing-key.js';
export {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  credentialScope,
  sha256Hex,
  stringToSign,
  toAmzDate,
  uriEncode,
  uriEncodePath,
} from './primitives.js';
export { pythonJsonDumps } from './python-json.js';
