/**
 * cloudspark: Amazon S3 and S3-compatible stores for web teams.
 *
 * Importing this module loads no AWS SDK code: presigning runs on the small SigV4 core in
 * `./sigv4`, and the SDK is loaded on the first call that needs the network.
 *
 * @packageDocumentation
 */
export { S3Connection } from './s3/connection.js';
export type {
  S3ConnectionOptions,
  BucketInfo,
  DeleteObjectsResult,
  CopyObjectOptions,
  CopyObjectResult,
  CreateBucketResult,
  PublicAccessSettings,
  PresignOptions,
  PresignGetOptions,
  PresignPutOptions,
  PresignPartOptions,
  PresignedCreateOptions,
  ObjectInfo,
  ObjectMetadata,
  ObjectContent,
  ObjectListing,
  ByteRange,
  ListOptions,
  FolderEntry,
  GetObjectOptions,
  SetObjectHeadersOptions,
  GetObjectsOptions,
  GetKeysOptions,
  GetObjectInfosOptions,
  GetListingOptions,
  GetObjectsResult,
  ListUploadsOptions,
  MultipartUpload,
  CreateMultipartOptions,
  StoredHeadersOptions,
  CompleteMultipartOptions,
  UploadedPart,
  CompletedPart,
  CompleteMultipartResult,
  PendingUpload,
  UploadBody,
  UploadOptions,
  UploadProgress,
  UploadResult,
  AbortUploadsRule,
  AbortIncompleteUploadsOptions,
  StaleUploadsOptions,
} from './s3/types.js';
export { MAX_PARTS, MIN_PART_SIZE, MAX_PART_SIZE } from './s3/limits.js';
export type { DownloadOptions, DownloadProgress, DownloadResult } from './s3/transfer/options.js';
export type { UploadFileOptions } from './s3/transfer/upload-file.js';
export type {
  FailedEntry,
  FolderOptions,
  FolderProgress,
  FolderFile,
  FolderResult,
  SkippedEntry,
} from './s3/transfer/folders.js';
export type { StsOptions } from './s3/sdk/credentials.js';
export type { Timeouts, ResolvedTimeouts } from './s3/sdk/network.js';
export { ABORT_RULE_ID } from './s3/rules/lifecycle.js';
export type { Logger } from './s3/sdk/logger.js';
export { defaultCorsRules, validateCorsRules, CORS_METHODS } from './s3/rules/cors.js';
export type { CorsRule, CorsMethod } from './s3/rules/cors.js';
export { publicReadPolicy, policyDecode } from './s3/rules/policy.js';
export type { BucketPolicy, PolicyStatement } from './s3/rules/policy.js';
export { CloudSparkError, maskAccessKey } from './errors.js';
export type { CloudSparkErrorCode, CloudSparkErrorOptions } from './errors.js';
export { MAX_EXPIRES_IN, MAX_KEY_BYTES } from './validate.js';
export { S3Presigner } from './sigv4/index.js';
export type {
  Credentials,
  PostCondition,
  PresignedPost,
  PresignMethod,
  PresignUrlRequest,
  PresignPostRequest,
  BucketAddress,
  BucketLocation,
} from './sigv4/index.js';
