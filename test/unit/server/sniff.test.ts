/**
 * Content sniffing after an upload: the leading bytes of real files, written out byte by byte,
 * against their declared types. Every expected value comes from the formats, not from the code.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { matchesContentType, SNIFF_BYTES, SNIFFABLE_TYPES } from '../../../src/server/sniff.js';

/** Bytes written as hex pairs, spaces ignored. */
function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  assert.match(digits, /^(?:[0-9a-f]{2})*$/i, 'test data: hex pairs only');
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// The leading bytes of real minimal files.
const PNG = hex(`
  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  00 00 00 01 00 00 00 01
  08 06 00 00 00 1f 15 c4 89`); // signature, IHDR 1x1 RGBA with its CRC
const JPEG_JFIF = hex('ff d8 ff e0 00 10 4a 46 49 46 00 01 01 00 00 01 00 01 00 00'); // SOI, APP0 "JFIF"
const JPEG_EXIF = hex('ff d8 ff e1 00 18 45 78 69 66 00 00 4d 4d 00 2a 00 00 00 08'); // SOI, APP1 "Exif"
const GIF89A = hex(`
  47 49 46 38 39 61 01 00 01 00 80 00 00 ff ff ff 00 00 00 21 f9 04 01 00 00 00 00 2c
  00 00 00 00 01 00 01 00 00 02 02 44 01 00 3b`);
const GIF87A = hex(
  '47 49 46 38 37 61 01 00 01 00 80 00 00 00 00 00 ff ff ff 2c 00 00 00 00 01 00 01 00 00 02 02 44 01 00 3b',
);
const WEBP = hex(`
  52 49 46 46 1a 00 00 00 57 45 42 50 56 50 38 4c 0d 00 00 00 2f 00 00 00 10 07 10 11
  11 88 88 fe 07 00`); // "RIFF" 26 "WEBP" "VP8L": lossless 1x1
const AVIF = hex(`
  00 00 00 1c 66 74 79 70 61 76 69 66 00 00 00 00 61 76 69 66 6d 69 66 31 6d 69 61 66
  00 00 00 ea 6d 65 74 61`); // ftyp size 28: major "avif", compatible avif mif1 miaf; then "meta"
const AVIF_MIF1 = hex('00 00 00 18 66 74 79 70 6d 69 66 31 00 00 00 00 6d 69 66 31 61 76 69 66'); // major "mif1", compatible "avif"
const AVIF_SEQUENCE = hex(`
  00 00 00 20 66 74 79 70 61 76 69 73 00 00 00 00 61 76 69 66 61 76 69 73 6d 73 66 31
  69 73 6f 38`); // major "avis"
const HEIC = hex('00 00 00 18 66 74 79 70 68 65 69 63 00 00 00 00 6d 69 66 31 68 65 69 63'); // iPhone photo: major "heic"
const BMP = hex(`
  42 4d 3a 00 00 00 00 00 00 00 36 00 00 00 28 00 00 00 01 00 00 00 01 00 00 00 01 00
  18 00 00 00 00 00 04 00 00 00`); // "BM" size 58, pixels at 54, BITMAPINFOHEADER (40): 1x1 24-bit
const TIFF_LE = hex('49 49 2a 00 08 00 00 00 0e 00'); // "II" 42, first IFD at 8
const TIFF_BE = hex('4d 4d 00 2a 00 00 00 08 00 0e'); // "MM" 42
const BIGTIFF = hex('49 49 2b 00 08 00 00 00 10 00 00 00 00 00 00 00'); // "II" 43, offset size 8
const ICO = hex(`
  00 00 01 00 01 00 10 10 00 00 01 00 20 00 68 04 00 00 16 00 00 00 28 00 00 00 10 00
  00 00 20 00 00 00 01 00 20 00`); // 1 image, 16x16 32-bit, 1128 bytes at 22: its BITMAPINFOHEADER
const PDF = hex('25 50 44 46 2d 31 2e 37 0a 25 e2 e3 cf d3 0a'); // "%PDF-1.7", binary comment
const ZIP = hex(`
  50 4b 03 04 0a 00 00 00 00 00 00 00 21 58 7a 7a 6f ed 03 00 00 00 03 00 00 00 05 00
  00 00 61 2e 74 78 74 68 69 0a`); // local header of "a.txt" (stored), as zip(1) writes it
const ZIP_EMPTY = hex('50 4b 05 06 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'); // end record only
const ZIP_SPANNED = hex('50 4b 07 08 50 4b 03 04 14 00 08 00 08 00'); // split marker, then a local header
const GZIP = hex('1f 8b 08 00 00 00 00 00 00 03 cb c8 e4 02 00 7a 7a 6f ed 03 00 00 00'); // gzip -n of "hi\n"
const MP4 = hex(`
  00 00 00 20 66 74 79 70 69 73 6f 6d 00 00 02 00 69 73 6f 6d 69 73 6f 32 61 76 63 31
  6d 70 34 31 00 00 00 08 66 72 65 65`); // ffmpeg: ftyp size 32 "isom" 0x200, isom iso2 avc1 mp41
const M4A = hex(`
  00 00 00 1c 66 74 79 70 4d 34 41 20 00 00 02 00 4d 34 41 20 69 73 6f 6d 69 73 6f 32`); // ftyp "M4A "
const MOV = hex(`
  00 00 00 14 66 74 79 70 71 74 20 20 00 00 00 00 71 74 20 20 00 00 00 08 77 69 64 65`); // ftyp "qt  ", then "wide"
const MOV_CLASSIC_WIDE = hex('00 00 00 08 77 69 64 65 00 1d 6a 8c 6d 64 61 74'); // "wide" (8), then "mdat"
const MOV_CLASSIC_MOOV = hex('00 00 02 7c 6d 6f 6f 76 00 00 00 6c 6d 76 68 64'); // "moov" holding "mvhd"
const MOV_CLASSIC_PNOT = hex('00 00 00 14 70 6e 6f 74 b4 1c 5a 9e 00 00 50 49 43 54 00 01'); // preview "pnot" -> "PICT" 1
const MOV_CLASSIC_FREE = hex('00 00 00 10 66 72 65 65 00 00 00 00 00 00 00 00 00 00 01 00 6d 64 61 74'); // "free", then "mdat"
const WEBM = hex(`
  1a 45 df a3 9f 42 86 81 01 42 f7 81 01 42 f2 81 04 42 f3 81 08 42 82 84 77 65 62 6d
  42 87 81 04 42 85 81 02 18 53 80 67`); // MediaRecorder: EBML header (31), DocType "webm", then Segment
const WEBM_LONG_SIZE = hex(`
  1a 45 df a3 01 00 00 00 00 00 00 1f 42 86 81 01 42 f7 81 01 42 f2 81 04 42 f3 81 08
  42 82 84 77 65 62 6d 42 87 81 02 42 85 81 02`); // the header size written on 8 bytes
const MATROSKA = hex(`
  1a 45 df a3 a3 42 86 81 01 42 f7 81 01 42 f2 81 04 42 f3 81 08 42 82 88 6d 61 74 72
  6f 73 6b 61 42 87 81 04 42 85 81 02`); // DocType "matroska"
const MP3_ID3 = hex('49 44 33 04 00 00 00 00 00 23 54 53 53 45 00 00 00 0f 00 00 03'); // ID3v2.4, size 35, "TSSE"
const MP3_ID3V23 = hex('49 44 33 03 00 00 00 00 0f 76 54 49 54 32'); // ID3v2.3, size 2038, "TIT2"
const MP3_FRAME = hex('ff fb 90 64 00 00 00 00'); // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
const MP3_MPEG2 = hex('ff f3 64 c4 00 00 00 00'); // MPEG-2 Layer III, 48 kbit/s, 24 kHz
const AAC_ADTS = hex('ff f1 50 80 02 1f fc'); // ADTS: sync, layer 00, AAC LC 44.1 kHz
const WAV = hex(`
  52 49 46 46 24 00 00 00 57 41 56 45 66 6d 74 20 10 00 00 00 01 00 01 00 44 ac 00 00
  88 58 01 00 02 00 10 00 64 61 74 61 00 00 00 00`); // "RIFF" 36 "WAVE": PCM 44.1 kHz 16-bit mono, no sample
const WAV_RF64 = hex('52 46 36 34 ff ff ff ff 57 41 56 45 64 73 36 34 1c 00 00 00'); // "RF64" -1 "WAVE" "ds64"
const OGG_OPUS = hex(`
  4f 67 67 53 00 02 00 00 00 00 00 00 00 00 9c 3e 10 7a 00 00 00 00 a3 98 02 07 01 13
  4f 70 75 73 48 65 61 64 01 01 38 01 80 bb 00 00 00 00 00`); // first page (BOS), "OpusHead"
const OGG_VORBIS = hex(`
  4f 67 67 53 00 02 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 e4 2e 68 5b 01 1e
  01 76 6f 72 62 69 73 00 00 00 00 02 44 ac 00 00 00 00 00 00 00 f4 01 00 00 00 00 00
  b8 01`); // first page (BOS), Vorbis identification header: stereo 44.1 kHz
const FLAC = hex(`
  66 4c 61 43 00 00 00 22 12 00 12 00 00 00 0e 00 00 0e 0a c4 42 f0 00 00 00 00`); // "fLaC", STREAMINFO 34: 44.1 kHz stereo 16-bit
const FLAC_ONLY_STREAMINFO = hex('66 4c 61 43 80 00 00 22 10 00 10 00'); // STREAMINFO flagged as the last block

const HTML = utf8('<!DOCTYPE html><script>alert(1)</script>');
const SVG = utf8('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>');

interface Row {
  type: string;
  /** Real files of that type. */
  good: Uint8Array[];
  /** A real file of another format. */
  other: Uint8Array;
  /** Bytes the format fixes at the start of `good[0]`: one fewer cannot tell (literal, from the format). */
  needs: number;
}

const ROWS: Row[] = [
  { type: 'image/png', good: [PNG], other: GIF89A, needs: 16 }, // signature 8 + IHDR length and type 8
  { type: 'image/jpeg', good: [JPEG_JFIF, JPEG_EXIF], other: PNG, needs: 3 },
  { type: 'image/jpg', good: [JPEG_JFIF, JPEG_EXIF], other: WEBP, needs: 3 },
  { type: 'image/gif', good: [GIF89A, GIF87A], other: PNG, needs: 6 },
  { type: 'image/webp', good: [WEBP], other: WAV, needs: 16 }, // RIFF 4, size 4, WEBP 4, chunk 4
  { type: 'image/avif', good: [AVIF, AVIF_MIF1, AVIF_SEQUENCE], other: MP4, needs: 16 }, // size, ftyp, major, minor
  { type: 'image/bmp', good: [BMP], other: PNG, needs: 18 }, // file header 14 + DIB header size 4
  { type: 'image/tiff', good: [TIFF_LE, TIFF_BE, BIGTIFF], other: JPEG_EXIF, needs: 4 },
  { type: 'image/x-icon', good: [ICO], other: BMP, needs: 6 }, // reserved, type, count
  { type: 'image/vnd.microsoft.icon', good: [ICO], other: PNG, needs: 6 },
  { type: 'application/pdf', good: [PDF], other: ZIP, needs: 5 },
  { type: 'application/zip', good: [ZIP, ZIP_EMPTY, ZIP_SPANNED], other: GZIP, needs: 4 },
  { type: 'application/x-zip-compressed', good: [ZIP, ZIP_EMPTY, ZIP_SPANNED], other: PDF, needs: 4 },
  { type: 'application/gzip', good: [GZIP], other: ZIP, needs: 4 }, // ID1 ID2 CM FLG
  { type: 'application/x-gzip', good: [GZIP], other: FLAC, needs: 4 },
  { type: 'video/mp4', good: [MP4, M4A, MOV], other: AVIF, needs: 16 },
  { type: 'audio/mp4', good: [M4A, MP4], other: HEIC, needs: 16 },
  { type: 'audio/x-m4a', good: [M4A, MP4], other: MP3_ID3, needs: 16 },
  {
    type: 'video/quicktime',
    good: [MOV, MOV_CLASSIC_WIDE, MOV_CLASSIC_MOOV, MOV_CLASSIC_PNOT, MOV_CLASSIC_FREE, MP4],
    other: HEIC,
    needs: 16,
  },
  { type: 'video/webm', good: [WEBM, WEBM_LONG_SIZE], other: MATROSKA, needs: 28 }, // to the end of DocType's value
  { type: 'audio/webm', good: [WEBM, WEBM_LONG_SIZE], other: OGG_OPUS, needs: 28 },
  { type: 'audio/mpeg', good: [MP3_ID3, MP3_ID3V23, MP3_FRAME, MP3_MPEG2], other: AAC_ADTS, needs: 10 }, // ID3v2 header
  { type: 'audio/mp3', good: [MP3_FRAME, MP3_ID3], other: FLAC, needs: 3 }, // frame header's sync, layer, rates
  { type: 'audio/wav', good: [WAV, WAV_RF64], other: WEBP, needs: 12 },
  { type: 'audio/x-wav', good: [WAV, WAV_RF64], other: OGG_VORBIS, needs: 12 },
  { type: 'audio/wave', good: [WAV], other: MP3_FRAME, needs: 12 },
  { type: 'audio/vnd.wave', good: [WAV], other: FLAC, needs: 12 },
  { type: 'audio/ogg', good: [OGG_OPUS, OGG_VORBIS], other: WEBM, needs: 6 }, // "OggS", version, header type
  { type: 'video/ogg', good: [OGG_VORBIS], other: MP4, needs: 6 },
  { type: 'application/ogg', good: [OGG_OPUS], other: FLAC, needs: 6 },
  { type: 'audio/flac', good: [FLAC, FLAC_ONLY_STREAMINFO], other: OGG_VORBIS, needs: 8 }, // marker + block header
  { type: 'audio/x-flac', good: [FLAC], other: WAV, needs: 8 },
];

describe('the table covers every sniffable type', () => {
  test('SNIFFABLE_TYPES is exactly the types of the table', () => {
    assert.deepEqual([...SNIFFABLE_TYPES].sort(), ROWS.map((r) => r.type).sort());
  });
  test('SNIFF_BYTES covers every signature and stays small', () => {
    for (const row of ROWS) assert.ok(row.needs <= SNIFF_BYTES, row.type);
    assert.ok(SNIFF_BYTES <= 512);
  });
});

describe('a real file matches its declared type', () => {
  for (const row of ROWS) {
    test(row.type, () => {
      for (const [i, bytes] of row.good.entries())
        assert.equal(matchesContentType(row.type, bytes), true, `sample ${i}`);
    });
  }
});

describe('HTML declared as a sniffable type is refused', () => {
  for (const row of ROWS) test(row.type, () => assert.equal(matchesContentType(row.type, HTML), false));
});

describe('SVG declared as a sniffable type is refused', () => {
  for (const row of ROWS) test(row.type, () => assert.equal(matchesContentType(row.type, SVG), false));
});

describe('another format declared as a sniffable type is refused', () => {
  for (const row of ROWS) test(row.type, () => assert.equal(matchesContentType(row.type, row.other), false));
});

describe('a head too short to hold the signature is refused, without a throw', () => {
  for (const row of ROWS) {
    test(row.type, () => {
      const sample = row.good[0]!;
      assert.equal(matchesContentType(row.type, new Uint8Array(0)), false, 'empty');
      assert.equal(matchesContentType(row.type, sample.subarray(0, 1)), false, '1 byte');
      assert.equal(matchesContentType(row.type, sample.subarray(0, row.needs - 1)), false, `${row.needs - 1} bytes`);
      assert.equal(matchesContentType(row.type, sample.subarray(0, row.needs)), true, `${row.needs} bytes`);
    });
  }
});

describe('a head longer than SNIFF_BYTES is read the same', () => {
  for (const row of ROWS) {
    test(row.type, () => {
      const long = new Uint8Array(4096).fill(0x41);
      long.set(row.good[0]!);
      assert.equal(matchesContentType(row.type, long), true);
    });
  }
});

describe('only the first SNIFF_BYTES count', () => {
  test('an "avif" brand at byte 1020 of a longer head is not seen', () => {
    const head = new Uint8Array(1024);
    head.set(hex('00 00 04 00 66 74 79 70 6d 69 66 31 00 00 00 00')); // ftyp of 1024 bytes, major "mif1"
    for (let at = 16; at < 1020; at += 4) head.set(hex('6d 69 66 31'), at); // "mif1" ...
    head.set(hex('61 76 69 66'), 1020); // ... and "avif" last
    assert.equal(matchesContentType('image/avif', head), false);
  });
});

describe('EBML header details', () => {
  const cases: Array<[string, string, Uint8Array, boolean]> = [
    ['DocType "webm" with zero padding', 'video/webm', hex('1a 45 df a3 89 42 82 86 77 65 62 6d 00 00'), true],
    ['DocType after a Void element', 'audio/webm', hex('1a 45 df a3 8a ec 81 00 42 82 84 77 65 62 6d'), true],
    ['DocType "WEBM"', 'video/webm', hex('1a 45 df a3 87 42 82 84 57 45 42 4d'), false],
    ['DocType "web"', 'video/webm', hex('1a 45 df a3 86 42 82 83 77 65 62'), false],
    ['DocType "webmx"', 'video/webm', hex('1a 45 df a3 88 42 82 85 77 65 62 6d 78'), false],
    ['an ID of 5 bytes first', 'video/webm', hex('08 1a 45 df a3 87 42 82 84 77 65 62 6d'), false],
  ];
  for (const [name, type, bytes, expected] of cases)
    test(name, () => assert.equal(matchesContentType(type, bytes), expected));
});

describe('near misses within a format family are refused', () => {
  const cases: Array<[string, string, Uint8Array]> = [
    ['PNG signature without IHDR first', 'image/png', hex('89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 44 41 54')],
    ['GIF with an unknown version', 'image/gif', hex('47 49 46 38 38 61 01 00 01 00')],
    ['"BM" text, not a bitmap header', 'image/bmp', utf8('BM is a bitmap, really, trust me')],
    ['a cursor (type 2) as an icon', 'image/x-icon', hex('00 00 02 00 01 00 20 20 00 00 10 00 10 00')],
    ['an icon directory with no image', 'image/x-icon', hex('00 00 01 00 00 00')],
    ['RIFF WEBP with an unknown first chunk', 'image/webp', hex('52 49 46 46 1a 00 00 00 57 45 42 50 41 4c 50 48')],
    ['a HEIC photo as AVIF', 'image/avif', HEIC],
    ['a HEIC photo as MP4 video', 'video/mp4', HEIC],
    ['an AVIF sequence as MP4 video', 'video/mp4', AVIF_SEQUENCE],
    ['an ftyp box of an impossible size', 'video/mp4', hex('00 00 00 0a 66 74 79 70 69 73 6f 6d 00 00 02 00')],
    [
      'an ftyp box cutting a brand in two',
      'audio/mp4',
      hex('00 00 00 13 66 74 79 70 69 73 6f 6d 00 00 02 00 69 73 6f 6d'),
    ],
    [
      '"avif" only as the minor version',
      'image/avif',
      hex('00 00 00 14 66 74 79 70 69 73 6f 6d 61 76 69 66 69 73 6f 6d'),
    ],
    ['an unknown QuickTime atom first', 'video/quicktime', hex('00 00 00 10 6a 75 6e 6b 00 00 00 00 00 00 00 00')],
    ['a "moov" atom of size 4', 'video/quicktime', hex('00 00 00 04 6d 6f 6f 76')],
    ['gzip with a compression method other than deflate', 'application/gzip', hex('1f 8b 07 00 00 00 00 00 00 03')],
    ['gzip with reserved flag bits set', 'application/gzip', hex('1f 8b 08 e0 00 00 00 00 00 03')],
    ['a Matroska file as WebM audio', 'audio/webm', MATROSKA],
    ['an EBML header whose DocType lies past the head', 'video/webm', hex('1a 45 df a3 9f 42 86 81 01 42 f7 81')],
    ['an unknown ID3 major version', 'audio/mpeg', hex('49 44 33 05 00 00 00 00 00 23')],
    ['an ID3 size that is not syncsafe', 'audio/mpeg', hex('49 44 33 04 00 00 00 00 00 80')],
    ['AAC in ADTS as MP3', 'audio/mpeg', AAC_ADTS],
    ['an MPEG frame with the reserved version', 'audio/mpeg', hex('ff eb 90 64')],
    ['an MPEG frame with the bad bitrate index', 'audio/mpeg', hex('ff fb f0 64')],
    ['an MPEG frame with the reserved sample rate', 'audio/mpeg', hex('ff fb 9c 64')],
    ['RIFF AVI as WAV', 'audio/wav', hex('52 49 46 46 00 10 00 00 41 56 49 20 4c 49 53 54')],
    ['an Ogg page of version 1', 'audio/ogg', hex('4f 67 67 53 01 02 00 00 00 00 00 00 00 00')],
    ['FLAC whose first block is not STREAMINFO', 'audio/flac', hex('66 4c 61 43 04 00 00 22 20 00 00 00')],
    ['"%PDF" without the dash', 'application/pdf', utf8('%PDF is not here')],
    ['a zip central directory record first', 'application/zip', hex('50 4b 01 02 1e 03 0a 00')],
    ['"II" without 42', 'image/tiff', hex('49 49 2c 00 08 00 00 00')],
  ];
  for (const [name, type, bytes] of cases) test(name, () => assert.equal(matchesContentType(type, bytes), false));
});

describe('types without a signature give undefined', () => {
  const types = [
    'text/plain',
    'application/octet-stream',
    'application/json',
    'text/plain; charset=utf-8',
    'APPLICATION/JSON',
    'image/svg+xml',
    'text/html',
    'text/csv',
    '',
  ];
  for (const type of types) {
    test(JSON.stringify(type), () => {
      assert.equal(matchesContentType(type, PNG), undefined);
      assert.equal(matchesContentType(type, HTML), undefined);
      assert.equal(matchesContentType(type, new Uint8Array(0)), undefined);
    });
  }
});

describe('parameters and case are ignored', () => {
  const cases: Array<[string, Uint8Array, boolean]> = [
    ['IMAGE/PNG', PNG, true],
    ['Image/Png; charset=binary', PNG, true],
    [' image/png ;x=y', HTML, false],
    ['application/PDF; version=1.7', PDF, true],
    ['Video/WebM; codecs="vp8, vorbis"', WEBM, true],
    ['audio/Ogg; codecs=opus', OGG_OPUS, true],
    ['AUDIO/MPEG;', SVG, false],
  ];
  for (const [type, bytes, expected] of cases)
    test(type, () => assert.equal(matchesContentType(type, bytes), expected));
});
