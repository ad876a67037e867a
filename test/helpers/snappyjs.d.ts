// Types for the `snappyjs` package (pure JavaScript Snappy block format), which ships none.
declare module 'snappyjs' {
  /** Decompresses a Snappy block; throws when the uncompressed length exceeds maxLength or the block is corrupt. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
  /** Compresses into a Snappy block. */
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
}
