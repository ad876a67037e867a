// Rewrites one span's attributes to the current GenAI names.
//
// One pass over the span's attributes finds every old name (a Map lookup per
// attribute), then the renames are applied in table order, so when two old
// names map to one current name (llm.provider, llm.system) the table decides
// which wins, not the order the emitter wrote them in. Then a few values are
// rewritten where emitters differ in the value rather than the name.
import type { IAnyValue, IKeyValue } from '../../pdata/proto.js';
import { anyToNumber, anyToString, findAttr, indexOfAttr, type Attrs } from '../../genai/attrs.js';
import {
  CONVENTION_RANK,
  GENAI,
  MARKERS,
  OPENINFERENCE_OPERATIONS,
  OPENLLMETRY_OPERATIONS,
  RENAMES,
  VLLM_ERROR_FINISH,
  WELL_KNOWN_PROVIDERS,
  type Convention,
  type Rename,
} from '../../genai/conventions.js';

const RENAME_INDEX = new Map<string, number>(RENAMES.map((r, i) => [r.from, i]));
const MARKER_INDEX = new Map<string, Convention>(MARKERS);
const PROVIDERS = new Map<string, string>(WELL_KNOWN_PROVIDERS.map((p) => [p.toLowerCase(), p]));

export interface NormalizeOptions {
  keepOriginal: boolean;
}

function convert(v: IAnyValue | null | undefined, r: Rename): IAnyValue | undefined {
  if (r.kind === 'string') {
    const s = anyToString(v);
    return s === undefined ? undefined : { stringValue: s };
  }
  const n = anyToNumber(v);
  if (n === undefined) return undefined;
  return r.kind === 'int' ? { intValue: Math.round(n) } : { doubleValue: n };
}

/**
 * Reusable scratch state, so normalizing a span allocates only the attributes
 * it adds.
 */
export class Normalizer {
  private readonly found: Array<IKeyValue | undefined> = new Array(RENAMES.length).fill(undefined);
  private readonly foundAt: number[] = new Array(RENAMES.length).fill(-1);

  constructor(private readonly opts: NormalizeOptions) {}

  /**
   * Normalizes `attrs` in place (it must be an own, writable array). Returns
   * the convention recognized, or undefined when the span carries no GenAI
   * attributes at all.
   */
  normalize(attrs: Attrs): Convention | undefined {
    let conv: Convention | undefined;
    let any = false;
    for (let i = 0; i < attrs.length; i++) {
      const kv = attrs[i];
      if (kv === undefined) continue;
      const key = kv.key ?? '';
      const ri = RENAME_INDEX.get(key);
      if (ri !== undefined) {
        if (this.found[ri] === undefined) {
          this.found[ri] = kv;
          this.foundAt[ri] = i;
        }
        any = true;
        const c = RENAMES[ri]?.convention;
        if (c !== undefined && (conv === undefined || CONVENTION_RANK[c] > CONVENTION_RANK[conv])) conv = c;
        continue;
      }
      const mc = MARKER_INDEX.get(key);
      if (mc !== undefined && (conv === undefined || CONVENTION_RANK[mc] > CONVENTION_RANK[conv])) conv = mc;
      if (conv === undefined && key.startsWith('gen_ai.')) conv = 'genai';
    }
    if (any) this.applyRenames(attrs);
    if (conv === undefined) return undefined;
    if (!findAttr(attrs, GENAI.operationName)) this.fillOperation(attrs, conv);
    this.fixProvider(attrs);
    this.fixFinishReasons(attrs);
    return conv;
  }

  private fillOperation(attrs: Attrs, conv: Convention): void {
    let op: string | undefined;
    if (conv === 'openinference') {
      const kind = anyToString(findAttr(attrs, 'openinference.span.kind')?.value);
      op = kind ? OPENINFERENCE_OPERATIONS[kind.toUpperCase()] : undefined;
    } else {
      const type = anyToString(findAttr(attrs, 'llm.request.type')?.value);
      op = type ? OPENLLMETRY_OPERATIONS[type.toLowerCase()] : undefined;
    }
    if (op) attrs.push({ key: GENAI.operationName, value: { stringValue: op } });
  }

  /** "OpenAI", "Anthropic" (OpenLLMetry before 0.48) → the conventions' lower-case names. */
  private fixProvider(attrs: Attrs): void {
    const i = indexOfAttr(attrs, GENAI.providerName);
    if (i < 0) return;
    const v = anyToString(attrs[i]?.value);
    if (v === undefined) return;
    const known = PROVIDERS.get(v.toLowerCase());
    if (known !== undefined && known !== v) attrs[i] = { key: GENAI.providerName, value: { stringValue: known } };
  }

  /**
   * vLLM writes gen_ai.response.finish_reasons as a JSON text ('["stop"]',
   * vllm/v1/engine/output_processor.py); the conventions define a string
   * array. A request vLLM finished with "error" failed inside the engine:
   * it gets error.type "error" (aborts are the client's doing and do not).
   */
  private fixFinishReasons(attrs: Attrs): void {
    const i = indexOfAttr(attrs, GENAI.finishReasons);
    if (i < 0) return;
    const v = attrs[i]?.value;
    let reasons: string[] | undefined;
    if (v?.stringValue != null) {
      const s = v.stringValue.trim();
      if (s.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(s);
          if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) reasons = parsed as string[];
        } catch {
          // Not JSON after all: left as it is.
        }
      } else if (s !== '') reasons = [s];
      if (reasons) attrs[i] = { key: GENAI.finishReasons, value: { arrayValue: { values: reasons.map((r) => ({ stringValue: r })) } } };
    } else if (v?.arrayValue) {
      reasons = (v.arrayValue.values ?? []).map((x) => anyToString(x) ?? '');
    }
    if (reasons?.includes(VLLM_ERROR_FINISH) && !findAttr(attrs, GENAI.errorType))
      attrs.push({ key: GENAI.errorType, value: { stringValue: VLLM_ERROR_FINISH } });
  }

  private applyRenames(attrs: Attrs): void {
    const remove: number[] = [];
    for (let ri = 0; ri < RENAMES.length; ri++) {
      const kv = this.found[ri];
      const r = RENAMES[ri];
      if (kv === undefined || r === undefined) continue;
      if (indexOfAttr(attrs, r.to) < 0) {
        const v = convert(kv.value, r);
        if (v !== undefined) attrs.push({ key: r.to, value: v });
      }
      const at = this.foundAt[ri] ?? -1;
      if (!this.opts.keepOriginal && at >= 0) remove.push(at);
      this.found[ri] = undefined;
      this.foundAt[ri] = -1;
    }
    if (remove.length === 0) return;
    // Old entries sit before everything pushed above; splice from the back so indexes stay valid.
    remove.sort((a, b) => b - a);
    for (const i of remove) attrs.splice(i, 1);
  }
}
