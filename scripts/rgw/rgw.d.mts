// Types of rgw.mjs, for the TypeScript that imports it (demo, tests).

/** A throw-away Ceph RGW, as start.sh left it (its env.json), plus where and how fast. */
export interface StartedRgw {
  dir: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  otherAccessKeyId: string;
  otherSecretAccessKey: string;
  userName: string;
  pidFiles: string[];
  /** Seconds the start took. */
  seconds: number;
  /** The variables the test tiers read (S3_ENDPOINT, AWS_ACCESS_KEY_ID, ..., RGW_DIR). */
  env: Record<string, string>;
}

/** `quiet` keeps start.sh's progress messages back unless the start fails. */
export function startRgw(options?: { quiet?: boolean }): StartedRgw;
export function stopRgw(dir: string | undefined): void;
export function killRadosgw(dir: string): Promise<void>;
/** Resolves with the milliseconds until S3 answered again. */
export function startRadosgw(dir: string): Promise<number>;
