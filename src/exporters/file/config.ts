import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../../config/types.js';

/**
 * The collector's file exporter keys and defaults. Differences (README):
 * `compression` is `gzip` here (the collector has `zstd`), and the output
 * stays a plain line file inside gzip, readable with `zcat`.
 */
export const RotationSchema = Type.Object(
  {
    max_megabytes: Type.Integer({ default: 100, minimum: 1, description: 'Size at which the file is rotated, in MB.' }),
    max_days: Type.Integer({ default: 0, minimum: 0, description: 'Remove backups older than this many days (by the timestamp in their name); 0 keeps them.' }),
    max_backups: Type.Integer({ default: 100, minimum: 0, description: 'Backups kept; 0 keeps all.' }),
    localtime: Type.Boolean({
      default: false,
      description: 'Backup names use local time instead of UTC (`data.json` → `data-2022-09-14T05-02-14.173.json`).',
    }),
  },
  { additionalProperties: false, description: 'Rotation of the file; on only when this section is present.' },
);

export const FileSchema = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'File to write; every signal of one exporter ID writes to it.' }),
    format: Type.Union([Type.Literal('json'), Type.Literal('proto')], {
      default: 'json',
      description: 'json: one Export*ServiceRequest as OTLP JSON per line; proto: each request as protobuf after a 4-byte big-endian length.',
    }),
    compression: Type.Union([Type.Literal(''), Type.Literal('gzip'), Type.Literal('zstd')], {
      default: '',
      description: 'gzip: the same content as a gzip file (zcat reads it). zstd is refused: Node.js 20 has no zstd.',
    }),
    append: Type.Boolean({ default: false, description: 'Keep what the file holds at start (false truncates it, as the collector). Rotation always appends.' }),
    flush_interval: Duration('1s', 'How often written data is synced to disk (fsync); it reaches the OS on every write.'),
    rotation: Type.Optional(RotationSchema),
  },
  { additionalProperties: false, description: 'Writes OTLP JSON lines (one Export*ServiceRequest per line) or length-prefixed protobuf to a file, with rotation.' },
);
export type FileConfig = Static<typeof FileSchema>;
export type RotationConfig = Static<typeof RotationSchema>;

export function validateFileConfig(c: FileConfig): string[] {
  const out: string[] = [];
  if (c.compression === 'zstd') out.push('compression: zstd is not supported (Node.js 20 has no zstd); use gzip');
  return out;
}
