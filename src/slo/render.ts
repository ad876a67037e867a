// Writes generated SLO rule groups as a Prometheus rule file (deterministic: same spec, same bytes).
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import type { RuleGroup } from './generate.js';

export function renderRuleFile(groups: RuleGroup[], header: string[]): string {
  const plain = groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules }));
  const doc = new Document({ groups: plain }, { aliasDuplicateObjects: false });
  doc.commentBefore = header.map((l) => (l ? ` ${l}` : '')).join('\n');
  const seq = (doc.contents as YAMLMap).get('groups', true);
  if (isSeq(seq)) {
    seq.items.forEach((item, i) => {
      const comment = groups[i]?.comment ?? [];
      if (isMap(item) && comment.length) item.commentBefore = comment.map((l) => ` ${l}`).join('\n');
    });
  }
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}
