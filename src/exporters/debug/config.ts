import { Type, type Static } from '@sinclair/typebox';

/** The collector's debug exporter keys and defaults. */
export const DebugSchema = Type.Object(
  {
    verbosity: Type.Union([Type.Literal('basic'), Type.Literal('normal'), Type.Literal('detailed')], {
      default: 'basic',
      description: 'basic: one line per batch with counts; normal: one line per item; detailed: one line per item with the item as OTLP JSON.',
    }),
    sampling_initial: Type.Integer({ default: 2, minimum: 1, description: 'Batches logged each second before sampling starts.' }),
    sampling_thereafter: Type.Integer({ default: 1, minimum: 1, description: 'After that, every Nth batch of the second is logged.' }),
    use_internal_logger: Type.Boolean({ default: true, description: "Log through the gateway's logger; false writes JSON lines to stdout." }),
  },
  {
    additionalProperties: false,
    description: 'Logs what passes (counts, items, or items as OTLP JSON), sampled per second; never fails.',
  },
);
export type DebugConfig = Static<typeof DebugSchema>;
