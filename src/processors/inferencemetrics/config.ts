import { Type, type Static } from '@sinclair/typebox';
import { ENGINES } from './schema.js';

export const InferenceMetricsSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('alias'), Type.Literal('rename')], {
      default: 'alias',
      description: 'alias: canonical series beside the originals; rename: the originals become the canonical series.',
    }),
    prefix: Type.String({ default: 'inference_', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$', description: 'Prefix of canonical metric names.' }),
    engines: Type.Array(Type.Union(ENGINES.map((e) => Type.Literal(e))), { default: [...ENGINES], description: 'Engines whose metrics are mapped.' }),
    dcgm: Type.Object(
      {
        unify_hostname: Type.Boolean({ default: true, description: 'DCGM `Hostname` (older dcgm-exporter) → `hostname` (added beside it in alias mode, replaces it in rename mode).' }),
        derive_fb_total: Type.Boolean({ default: true, description: 'Emit DCGM_FI_DEV_FB_TOTAL = FB_USED + FB_FREE (+ FB_RESERVED) for a GPU whose batch has no FB_TOTAL.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  {
    additionalProperties: false,
    description: 'Puts vLLM, SGLang, TGI and Triton metrics under one canonical schema (with an engine label) and evens out DCGM exporter differences, beside (alias) or instead of (rename) the originals.',
  },
);

export type InferenceMetricsConfig = Static<typeof InferenceMetricsSchema>;
