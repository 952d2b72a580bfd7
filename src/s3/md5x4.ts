/**
 * MD5 of four streams at once: a WebAssembly module whose one function runs the MD5 compression
 * on four independent blocks per step, one in each 32-bit lane of SIMD registers.
 *
 * Why: MD5 cannot be split within a stream (each block needs the state the previous one left),
 * and OpenSSL's is a single stream at about 5 cycles a byte. A multipart object's ETag needs one
 * MD5 per part, and a download writes several parts at once: hashing four of them side by side
 * costs about half the CPU of four OpenSSL hashes (docs/performance.md). On two cores that CPU is
 * taken from the store and the sockets, so it is the difference between a `get` that verifies
 * every byte and one that keeps up with tools that do not.
 *
 * The module is built here, from the algorithm (RFC 1321), by a small emitter: no binary is
 * checked in, and what runs can be read below. Memory layout (offsets in bytes):
 *
 *   0      the state: A, B, C and D, each a v128 holding lane 0..3's word
 *   1024   the 64 round constants, each repeated in the four lanes (written by the caller)
 *   4096   scratch: the current block's 16 words, transposed so that word k of the four lanes is one v128
 *   65536  the lanes' data, LANE_BYTES each: lane j's bytes at 65536 + j * LANE_BYTES
 *
 * `blocks(n)` hashes the first n 64-byte blocks of each lane's data into the state.
 */

/** Bytes of data each lane holds for one call: `blocks(n)` takes n <= LANE_BYTES / 64. */
export const LANE_BYTES = 256 * 1024;
/** Where the state, the constants and the data are in the module's memory. */
export const MD5X4_LAYOUT = { state: 0, constants: 1024, scratch: 4096, data: 65536 } as const;

/** MD5's initial state (RFC 1321, 3.3). */
export const MD5_INIT: readonly number[] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/** The round constants: the integer part of 2^32 x |sin(i + 1)|, exact in doubles. */
export const MD5_T: readonly number[] = Array.from(
  { length: 64 },
  (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0,
);

/** Left-rotation of each step, by round and step within the round. */
const SHIFTS = [
  [7, 12, 17, 22],
  [5, 9, 14, 20],
  [4, 11, 16, 23],
  [6, 10, 15, 21],
];

// ------------------------------------------------------------------ a tiny WebAssembly emitter

const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  void: 0x40,
} as const;
/** SIMD instructions, after the 0xfd prefix. */
const simd = {
  load: 0x00,
  store: 0x0b,
  shuffle: 0x0d,
  not: 0x4d,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  shl: 0xab,
  shrU: 0xad,
  add: 0xae,
} as const;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** The code of `blocks(n)`, in a stack machine's order: operands first. */
function blocksBody(): { locals: number; code: number[] } {
  // Locals: 0 = n (the parameter); i32 1 = p (offset of the block in each lane), 2 = end;
  // v128 from 3 on.
  const P = 1;
  const END = 2;
  let next = 3;
  const v128 = () => next++;
  const [a, b, c, d] = [v128(), v128(), v128(), v128()];
  const saved = [v128(), v128(), v128(), v128()];
  const t = v128();
  const w = [v128(), v128(), v128(), v128()];
  const y = [v128(), v128(), v128(), v128()];

  const code: number[] = [];
  const get = (l: number) => code.push(op.localGet, ...uleb(l));
  const set = (l: number) => code.push(op.localSet, ...uleb(l));
  const i32 = (n: number) => code.push(op.i32Const, ...sleb(n));
  const v = (instr: number, ...immediates: number[]) => code.push(0xfd, ...uleb(instr), ...immediates);
  /** A memory access at `offset` from the address on the stack, 16-byte aligned. */
  const mem = (instr: number, offset: number) => v(instr, 4, ...uleb(offset));

  const { state, constants, scratch, data } = MD5X4_LAYOUT;
  const words = [a, b, c, d];
  words.forEach((x, i) => (i32(0), mem(simd.load, state + 16 * i), set(x)));
  (get(0), i32(6), code.push(op.i32Shl), set(END));

  code.push(op.block, op.void, op.loop, op.void);
  (get(P), get(END), code.push(op.i32GeU, op.brIf, 1));

  // The four lanes' block, 16 words each, transposed into scratch: a 4 x 4 transpose of 32-bit
  // words per 16 bytes (two rounds of interleaving shuffles).
  const interleave32 = (lo: boolean) => {
    const base = lo ? 0 : 8;
    return [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23].map((i) => i + base);
  };
  const interleave64 = (lo: boolean) => {
    const base = lo ? 0 : 8;
    return [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23].map((i) => i + base);
  };
  for (let m = 0; m < 4; m++) {
    for (let j = 0; j < 4; j++) (get(P), mem(simd.load, data + j * LANE_BYTES + 16 * m), set(w[j]!));
    const pairs: [number, number, boolean][] = [
      [w[0]!, w[1]!, true],
      [w[2]!, w[3]!, true],
      [w[0]!, w[1]!, false],
      [w[2]!, w[3]!, false],
    ];
    pairs.forEach(([l, r, lo], i) => (get(l), get(r), v(simd.shuffle, ...interleave32(lo)), set(y[i]!)));
    const outs: [number, number, boolean][] = [
      [y[0]!, y[1]!, true],
      [y[0]!, y[1]!, false],
      [y[2]!, y[3]!, true],
      [y[2]!, y[3]!, false],
    ];
    outs.forEach(([l, r, lo], i) => {
      (i32(0), get(l), get(r), v(simd.shuffle, ...interleave64(lo)), mem(simd.store, scratch + 16 * (4 * m + i)));
    });
  }

  words.forEach((x, i) => (get(x), set(saved[i]!)));
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    const k = [i, (5 * i + 1) % 16, (3 * i + 5) % 16, (7 * i) % 16][round]!;
    const s = SHIFTS[round]![i % 4]!;
    // The step's a, b, c, d: the names rotate one place each step.
    const [sa, sb, sc, sd] = [0, 1, 2, 3].map((r) => words[(r - (i % 4) + 4) % 4]!) as [number, number, number, number];
    // t = (a + X[k] + T[i]) + f(b, c, d): b, just computed, comes last, so that only one
    // addition waits for it (V8 does not reorder these).
    get(sa);
    (i32(0), mem(simd.load, scratch + 16 * k), v(simd.add));
    (i32(0), mem(simd.load, constants + 16 * i), v(simd.add));
    if (round === 0)
      (get(sc), get(sd), get(sb), v(simd.bitselect)); // (b & c) | (~b & d)
    else if (round === 1)
      (get(sb), get(sc), get(sd), v(simd.bitselect)); // (d & b) | (~d & c)
    else if (round === 2)
      (get(sc), get(sd), v(simd.xor), get(sb), v(simd.xor)); // c ^ d ^ b
    else (get(sd), v(simd.not), get(sb), v(simd.or), get(sc), v(simd.xor)); // (~d | b) ^ c
    v(simd.add);
    set(t);
    // a = b + (t <<< s)
    (get(sb), get(t), i32(s), v(simd.shl), get(t), i32(32 - s), v(simd.shrU), v(simd.or), v(simd.add), set(sa));
  }
  words.forEach((x, i) => (get(x), get(saved[i]!), v(simd.add), set(x)));

  (get(P), i32(64), code.push(op.i32Add), set(P));
  code.push(op.br, 0, op.end, op.end);
  words.forEach((x, i) => (i32(0), get(x), mem(simd.store, state + 16 * i)));
  code.push(op.end);
  return { locals: next - 3, code };
}

/** The module's bytes: memory exported as `memory`, `blocks(n: i32)` exported as `blocks`. */
export function md5x4Module(): Uint8Array<ArrayBuffer> {
  const { locals, code } = blocksBody();
  const pages = Math.ceil((MD5X4_LAYOUT.data + 4 * LANE_BYTES) / 65536);
  const name = (s: string) => [...uleb(s.length), ...Buffer.from(s)];
  const localDecls = vector([
    [2, 0x7f], // p, end: i32
    [...uleb(locals), 0x7b], // v128
  ]);
  const body = [...localDecls, ...code];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, 1, 0x7f, 0]])), // type 0: (i32) -> ()
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(5, vector([[0x00, ...uleb(pages)]])), // one memory, no maximum
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('blocks'), 0x00, 0],
      ]),
    ),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ];
  return Uint8Array.from(bytes);
}
