// Rewrites one span's attributes to the current GenAI names.
//
// One pass over the span's attributes finds every old name (a Map lookup per
// attribute), then the renames are applied in table order, so when two old
// names map to one current name (llm.provider, llm.system) the table decides
// which wins, not the order the emitter wrote them in.
import type { IAnyValue, IKeyValue } from '../../pdata/proto.js';
import { anyToNumber, anyToString, findAttr, indexOfAttr, type Attrs } from '../../genai/attrs.js';
import { GENAI, MARKERS, OPENINFERENCE_OPERATIONS, RENAMES, type Convention, type Rename } from '../../genai/conventions.js';

const RENAME_INDEX = new Map<string, number>(RENAMES.map((r, i) => [r.from, i]));
const MARKER_INDEX = new Map<string, Convention>(MARKERS);
/** When a span shows marks of several conventions, the most specific wins (vLLM also uses the old token names). */
const RANK: Readonly<Record<Convention, number>> = { genai: 0, genai_legacy: 1, vllm: 2, openinference: 3 };

export interface NormalizeOptions {
  keepOriginal: boolean;
  fillRequestModel: boolean;
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
      const key = attrs[i]!.key ?? '';
      const ri = RENAME_INDEX.get(key);
      if (ri !== undefined) {
        this.found[ri] = attrs[i];
        this.foundAt[ri] = i;
        any = true;
        const c = RENAMES[ri]!.convention;
        if (conv === undefined || RANK[c] > RANK[conv]) conv = c;
        continue;
      }
      const mc = MARKER_INDEX.get(key);
      if (mc !== undefined && (conv === undefined || RANK[mc] > RANK[conv])) conv = mc;
      if (conv === undefined && key.startsWith('gen_ai.')) conv = 'genai';
    }
    if (any) this.applyRenames(attrs);
    if (conv === 'openinference' && !findAttr(attrs, GENAI.operationName)) {
      const kind = anyToString(findAttr(attrs, 'openinference.span.kind')?.value);
      const op = kind ? OPENINFERENCE_OPERATIONS[kind.toUpperCase()] : undefined;
      if (op) attrs.push({ key: GENAI.operationName, value: { stringValue: op } });
    }
    if (conv !== undefined && this.opts.fillRequestModel && !findAttr(attrs, GENAI.requestModel)) {
      const m = anyToString(findAttr(attrs, GENAI.responseModel)?.value);
      if (m) attrs.push({ key: GENAI.requestModel, value: { stringValue: m } });
    }
    return conv;
  }

  private applyRenames(attrs: Attrs): void {
    const remove: number[] = [];
    for (let ri = 0; ri < RENAMES.length; ri++) {
      const kv = this.found[ri];
      if (kv === undefined) continue;
      const r = RENAMES[ri]!;
      if (indexOfAttr(attrs, r.to) < 0) {
        const v = convert(kv.value, r);
        if (v !== undefined) attrs.push({ key: r.to, value: v });
      }
      if (!this.opts.keepOriginal) remove.push(this.foundAt[ri]!);
      this.found[ri] = undefined;
      this.foundAt[ri] = -1;
    }
    if (remove.length === 0) return;
    // Old entries sit before everything pushed above; splice from the back so indexes stay valid.
    remove.sort((a, b) => b - a);
    for (const i of remove) attrs.splice(i, 1);
  }
}
