// Model identity for request spans that name no model. vLLM's own spans
// carry token counts and latencies but no model, provider or operation
// (vllm/v1/engine/output_processor.py, do_tracing); without a model every
// vLLM model would collapse into one unlabeled series. The model is taken
// from the first configured source that has one:
//   span_attributes      another span attribute (gen_ai.response.model)
//   resource_attributes  the resource (e.g. service.name, when a deployment
//                        names its service after the model)
//   static               a map from an instance identity (pod, host,
//                        service.instance.id) to a model
//   engine_metrics       the model_name label of the engine's metrics seen
//                        for that instance (engines.ts)
// What stays unknown gets `unknown_model` (default "unknown") and is counted.
import { anyToString, firstString, setAttr, type Attrs } from '../../genai/attrs.js';
import { DERIVED, GENAI } from '../../genai/conventions.js';
import type { EngineModels } from './engines.js';

export type ModelSource = 'span_attributes' | 'resource_attributes' | 'static' | 'engine_metrics';

export interface ModelIdentityOptions {
  sources: readonly ModelSource[];
  spanAttributes: readonly string[];
  resourceAttributes: readonly string[];
  instanceAttributes: readonly string[];
  staticModels: Readonly<Record<string, string>>;
  unknownModel: string;
}

export type Resolution = ModelSource | 'unknown';

/** Per batch and resource: what each resource-level source said (null: nothing). */
export type ResourceModels = Partial<Record<Exclude<ModelSource, 'span_attributes'>, string | null>> & { ids?: Array<string | undefined> };

export class ModelIdentity {
  constructor(
    private readonly o: ModelIdentityOptions,
    private readonly engines: EngineModels | undefined,
  ) {}

  /**
   * Writes gen_ai.request.model (and tollgate.genai.model.source) when the
   * span names none; returns where it came from, or undefined when the span
   * named its model itself. `cache` is shared by the spans of one resource.
   */
  resolve(attrs: Attrs, resource: Attrs | null | undefined, cache: ResourceModels, nowMs: number): Resolution | undefined {
    if (firstString(attrs, [GENAI.requestModel]) !== undefined) return undefined;
    let model: string | undefined;
    let source: Resolution = 'unknown';
    for (const src of this.o.sources) {
      model = src === 'span_attributes' ? firstString(attrs, this.o.spanAttributes) : this.fromResource(src, resource, cache, nowMs);
      if (model !== undefined) {
        source = src;
        break;
      }
    }
    if (model === undefined) {
      if (this.o.unknownModel === '') return 'unknown';
      model = this.o.unknownModel;
    }
    setAttr(attrs, GENAI.requestModel, { stringValue: model });
    if (source !== 'span_attributes') setAttr(attrs, DERIVED.modelSource, { stringValue: source });
    return source;
  }

  private fromResource(
    src: Exclude<ModelSource, 'span_attributes'>,
    resource: Attrs | null | undefined,
    cache: ResourceModels,
    nowMs: number,
  ): string | undefined {
    const had = cache[src];
    if (had !== undefined) return had ?? undefined;
    let m: string | undefined;
    if (src === 'resource_attributes') m = firstString(resource, this.o.resourceAttributes);
    else {
      cache.ids ??= this.o.instanceAttributes.map((k) => anyToString(resource?.find((kv) => kv.key === k)?.value));
      if (src === 'static') {
        for (const id of cache.ids)
          if (id !== undefined && Object.prototype.hasOwnProperty.call(this.o.staticModels, id)) {
            m = this.o.staticModels[id];
            break;
          }
      } else if (this.engines) m = this.engines.lookup(cache.ids, nowMs);
    }
    cache[src] = m ?? null;
    return m;
  }
}
