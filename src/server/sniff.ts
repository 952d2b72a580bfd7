/**
 * Does an object's first bytes look like its declared Content-Type? Checked after an upload
 * completes, so that a client declaring image/png cannot store HTML or SVG under that type.
 * Pure: no I/O, no dependencies. Each check reads only the leading bytes the format's
 * specification fixes, and a head too short to hold them never matches.
 */
import { invalidInput } from '../errors.js';
import { assertString } from '../validate.js';
import { baseType } from './content-types.js';

/**
 * How many leading bytes `sniff` needs to decide for every type it knows. The longest reads are
 * the WebM EBML header (DocType sits around byte 24-40 in real files) and the AVIF `ftyp` box's
 * compatible brands (12 brands fit in 64 bytes); every other signature is 16 bytes or fewer.
 */
export const SNIFF_BYTES = 64;

type Check = (head: Uint8Array) => boolean;

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

/** `head` holds `bytes` at `offset` (false when it is too short to tell). */
function has(head: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

const hasText = (head: Uint8Array, offset: number, text: string): boolean => has(head, offset, ascii(text));

const u32be = (head: Uint8Array, offset: number): number =>
  ((head[offset]! << 24) | (head[offset + 1]! << 16) | (head[offset + 2]! << 8) | head[offset + 3]!) >>> 0;

const text4 = (head: Uint8Array, offset: number): string => String.fromCharCode(...head.subarray(offset, offset + 4));

// PNG (ISO/IEC 15948 §5.2, §11.2.2): the 8-byte signature, then IHDR (length 13) as the first chunk.
const png: Check = (h) =>
  has(h, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) && hasText(h, 12, 'IHDR');

// JPEG (ITU-T T.81 Annex B): the SOI marker FF D8, then the next marker's FF.
const jpeg: Check = (h) => has(h, 0, [0xff, 0xd8, 0xff]);

// GIF (GIF89a specification §17, Header): "GIF" then version "87a" or "89a".
const gif: Check = (h) => hasText(h, 0, 'GIF87a') || hasText(h, 0, 'GIF89a');

// BMP (Windows BITMAPFILEHEADER): "BM", then at offset 14 a known DIB header size (core, OS/2 v2, info v1-v5).
const BMP_DIB_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const bmp: Check = (h) =>
  hasText(h, 0, 'BM') && h.length >= 18 && BMP_DIB_SIZES.has(h[14]! | (h[15]! << 8) | (h[16]! << 16) | (h[17]! << 24));

// TIFF (TIFF 6.0 §2) "II*\0" / "MM\0*", and BigTIFF (Aware Systems BigTIFF) with 43 instead of 42.
const tiff: Check = (h) =>
  has(h, 0, [0x49, 0x49, 0x2a, 0x00]) ||
  has(h, 0, [0x4d, 0x4d, 0x00, 0x2a]) ||
  has(h, 0, [0x49, 0x49, 0x2b, 0x00]) ||
  has(h, 0, [0x4d, 0x4d, 0x00, 0x2b]);

// ICO (Microsoft ICONDIR): reserved 0, type 1 (icon), then an image count of at least 1.
const ico: Check = (h) => has(h, 0, [0x00, 0x00, 0x01, 0x00]) && h.length >= 6 && (h[4]! | (h[5]! << 8)) > 0;

// RIFF (Microsoft Multimedia Programming Interface and Data Specifications 1.0): "RIFF", size, form type.
const riff = (h: Uint8Array, form: string): boolean => hasText(h, 0, 'RIFF') && hasText(h, 8, form);

// WebP (RFC 9649): RIFF form "WEBP" whose first chunk is "VP8 ", "VP8L" or "VP8X".
const webp: Check = (h) => riff(h, 'WEBP') && ['VP8 ', 'VP8L', 'VP8X'].some((c) => hasText(h, 12, c));

// WAVE (RIFF spec; EBU Tech 3306 RF64; ITU-R BS.2088 BW64): RIFF/RF64/BW64 with form "WAVE".
const wave: Check = (h) => ['RIFF', 'RF64', 'BW64'].some((r) => hasText(h, 0, r)) && hasText(h, 8, 'WAVE');

// PDF (ISO 32000-1 §7.5.2, file header): "%PDF-".
const pdf: Check = (h) => hasText(h, 0, '%PDF-');

// ZIP (PKWARE APPNOTE.TXT §4.3.7, §4.3.16, §8.5.3): local file header, empty archive's end record, split marker.
const zip: Check = (h) =>
  [
    [3, 4],
    [5, 6],
    [7, 8],
  ].some(([a, b]) => has(h, 0, [0x50, 0x4b, a!, b!]));

// gzip (RFC 1952 §2.3.1): ID1 ID2 = 1F 8B, CM = 8 (deflate), FLG reserved bits 5-7 zero.
const gzip: Check = (h) => has(h, 0, [0x1f, 0x8b, 0x08]) && h.length >= 4 && (h[3]! & 0xe0) === 0;

// Ogg (RFC 3533 §6): capture pattern "OggS", stream_structure_version 0, only the 3 defined header_type flags.
const ogg: Check = (h) => hasText(h, 0, 'OggS') && h.length >= 6 && h[4] === 0 && (h[5]! & 0xf8) === 0;

// FLAC (RFC 9639 §8.1-8.2): "fLaC", then the mandatory first block STREAMINFO (type 0, length 34).
const flac: Check = (h) => hasText(h, 0, 'fLaC') && h.length >= 8 && (h[4]! & 0x7f) === 0 && has(h, 5, [0, 0, 34]);

// MP3 (ID3v2.4.0 structure §3.1; ISO/IEC 11172-3 §2.4.2.3 / 13818-3 frame header).
const mpegAudio: Check = (h) => {
  if (hasText(h, 0, 'ID3')) {
    // Version 2.2-2.4, revision and major version never FF, then a 4-byte syncsafe size.
    return h.length >= 10 && h[3]! >= 2 && h[3]! <= 4 && h[4] !== 0xff && [6, 7, 8, 9].every((i) => h[i]! < 0x80);
  }
  if (h.length < 3 || h[0] !== 0xff || (h[1]! & 0xe0) !== 0xe0) return false; // 11-bit frame sync
  const version = (h[1]! >> 3) & 3; // 01 reserved (00 is the common MPEG 2.5 extension)
  const layer = (h[1]! >> 1) & 3; // 00 reserved (and is what AAC ADTS uses)
  const bitrate = h[2]! >> 4; // 1111 invalid
  const rate = (h[2]! >> 2) & 3; // 11 reserved
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
};

// ISO base media file format (ISO/IEC 14496-12 §4.3): a first box "ftyp" = size, major brand,
// minor version, then 4-byte compatible brands to the end of the box (those within `head`).
function ftypBrands(h: Uint8Array): { major: string; brands: string[] } | undefined {
  if (h.length < 16 || !hasText(h, 4, 'ftyp')) return undefined;
  const size = u32be(h, 0);
  if (size < 16 || size % 4 !== 0) return undefined;
  const brands = [text4(h, 8)];
  for (let at = 16; at + 4 <= Math.min(size, h.length); at += 4) brands.push(text4(h, at));
  return { major: brands[0]!, brands };
}

// Major brands of still images and image sequences (HEIF ISO/IEC 23008-12, AVIF, Canon CR3 raw).
const IMAGE_BRANDS = new Set([
  'avif',
  'avis',
  'mif1',
  'mif2',
  'msf1',
  'heic',
  'heix',
  'heim',
  'heis',
  'hevc',
  'hevx',
  'avci',
  'avcs',
  'crx ',
]);

// AVIF (AOM AV1 Image File Format, brands): an ftyp box with brand "avif" (image) or "avis" (sequence).
const avif: Check = (h) => ftypBrands(h)?.brands.some((b) => b === 'avif' || b === 'avis') ?? false;

// MP4 family (ISO/IEC 14496-14; 3GPP TS 26.244; Apple M4A/M4V): any ftyp box not branded as an image.
// Audio-only and video files share the brands (isom, mp42, M4A , ...), so audio/mp4 accepts the same.
const mp4: Check = (h) => {
  const ftyp = ftypBrands(h);
  return ftyp !== undefined && !IMAGE_BRANDS.has(ftyp.major);
};

// QuickTime (Apple QuickTime File Format, "Atoms"): an MP4-family ftyp, or a classic file's first
// top-level atom (moov, mdat, wide, free, skip, pnot) with a size of 0 (to the end), 1 (64-bit) or >= 8.
const QT_ATOMS = ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];
const quicktime: Check = (h) => {
  if (mp4(h)) return true;
  if (h.length < 8 || !QT_ATOMS.includes(text4(h, 4))) return false;
  const size = u32be(h, 0);
  return size === 0 || size === 1 || size >= 8;
};

// WebM (RFC 8794 EBML §11.2; WebM Container Guidelines): an EBML header whose DocType is "webm".
const EBML_ID = 0x1a45dfa3;
const DOCTYPE_ID = 0x4282;

/** An EBML variable-size integer at `at`: its length and value (marker bit kept for IDs, dropped for sizes). */
function vint(h: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number } | undefined {
  const first = h[at];
  if (first === undefined || first === 0) return undefined; // longer than 8 bytes: not a valid vint
  const length = Math.clz32(first) - 23; // 1 for 1xxxxxxx ... 8 for 00000001
  if (at + length > h.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + h[at + i]!;
  return { length, value };
}

const webm: Check = (h) => {
  const id = vint(h, 0, true);
  if (id?.length !== 4 || id.value !== EBML_ID) return false;
  const size = vint(h, 4, false);
  if (size === undefined) return false;
  const end = Math.min(h.length, 4 + size.length + size.value);
  for (let at = 4 + size.length; at < end;) {
    const childId = vint(h, at, true);
    if (childId === undefined) return false;
    const childSize = vint(h, at + childId.length, false);
    if (childSize === undefined) return false;
    const start = at + childId.length + childSize.length;
    if (childId.value === DOCTYPE_ID) {
      if (start + childSize.value > h.length) return false;
      // An EBML String may end in zero padding (RFC 8794, String Element).
      let stop = start + childSize.value;
      while (stop > start && h[stop - 1] === 0) stop--;
      return stop - start === 4 && hasText(h, start, 'webm');
    }
    at = start + childSize.value;
  }
  return false;
};

const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['image/png', png],
  ['image/jpeg', jpeg],
  ['image/jpg', jpeg], // not registered, but sent by many clients
  ['image/gif', gif],
  ['image/webp', webp],
  ['image/avif', avif],
  ['image/bmp', bmp],
  ['image/tiff', tiff],
  ['image/x-icon', ico],
  ['image/vnd.microsoft.icon', ico],
  ['application/pdf', pdf],
  ['application/zip', zip],
  ['application/x-zip-compressed', zip], // what browsers on Windows declare for .zip
  ['application/gzip', gzip],
  ['application/x-gzip', gzip],
  ['video/mp4', mp4],
  ['audio/mp4', mp4],
  ['audio/x-m4a', mp4],
  ['video/quicktime', quicktime],
  ['video/webm', webm],
  ['audio/webm', webm],
  ['audio/mpeg', mpegAudio],
  ['audio/mp3', mpegAudio], // not registered, but sent by some browsers
  ['audio/wav', wave],
  ['audio/x-wav', wave],
  ['audio/wave', wave],
  ['audio/vnd.wave', wave],
  ['audio/ogg', ogg],
  ['video/ogg', ogg],
  ['application/ogg', ogg],
  ['audio/flac', flac],
  ['audio/x-flac', flac],
]);

/** The types that have a signature here (for docs/tests). */
export const SNIFFABLE_TYPES: readonly string[] = Object.freeze([...CHECKS.keys()]);

/**
 * Whether `head` (the object's first bytes, possibly fewer than SNIFF_BYTES when the object is short)
 * starts like a file of `contentType`: true/false for the types with a known signature, undefined for
 * types we cannot check (text/plain, application/octet-stream, application/json, ...).
 */
export function matchesContentType(contentType: string, head: Uint8Array): boolean | undefined {
  assertString(contentType, 'contentType');
  if (!(head instanceof Uint8Array))
    throw invalidInput('head', 'must be the first bytes of the file, as a Uint8Array (a Buffer is one)');
  const check = CHECKS.get(baseType(contentType));
  return check?.(head.subarray(0, SNIFF_BYTES));
}
