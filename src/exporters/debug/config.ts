import { Type, type Static } from '@sinclair/typebox';
import { OptionalQueueSchema } from '../../exporterhelper/config.js';

/** The collector's debug exporter keys and defaults. */
export const DebugSchema = Type.Object(
  {
    verbosity: Type.Union([Type.Literal('basic'), Type.Literal('normal'), Type.Literal('detailed')], {
      default: 'basic',
      description: 'basic: one line per batch with counts; normal: one line per item; detailed: one line per item with the item as OTLP JSON.',
    }),
    sampling_initial: Type.Integer({ default: 2, minimum: 1, description: 'Batches logged each second before sampling starts.' }),
    sampling_thereafter: Type.Integer({ default: 1, minimum: 1, description: 'After that, every Nth batch of the second is logged.' }),
    use_internal_logger: Type.Boolean({ default: true, description: "Log through the gateway's logger; false writes JSON lines to output_paths." }),
    output_paths: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'With use_internal_logger false: where the lines go, `stdout` (the default), `stderr` or file paths (appended to).',
      }),
    ),
    sending_queue: Type.Optional(OptionalQueueSchema),
  },
  {
    additionalProperties: false,
    description: 'Logs what passes (counts, items, or items as OTLP JSON), sampled per second; never fails.',
  },
);
export type DebugConfig = Static<typeof DebugSchema>;

/** The collector's check: output_paths only with use_internal_logger false. */
export function validateDebug(c: DebugConfig): string[] {
  return c.use_internal_logger && c.output_paths !== undefined ? ['output_paths: not supported when use_internal_logger is true'] : [];
}
