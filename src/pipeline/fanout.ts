import type { RequestContext } from '../component/context.js';
import type { Capabilities, SignalConsumer } from '../component/consumer.js';
import type { Signal, SignalData } from '../component/signal.js';
import { ConsumerError, asConsumerError } from '../errors/consumererror.js';
import { cloneData } from '../pdata/clone.js';

const RANK = { permanent: 0, retryable: 1, throttled: 2 } as const;

/**
 * Hands one batch to several consumers. Consumers that mutate get their own
 * copy, made before anyone sees the original; readers share the original.
 * When all mutate, the last takes the original, so one copy is saved.
 * A failure of any branch is returned to the caller; a retryable one wins over
 * a permanent one so the sender retries rather than losing data for a branch.
 */
export function fanout<S extends Signal>(signal: S, consumers: SignalConsumer<S>[]): SignalConsumer<S> {
  if (consumers.length === 1) return consumers[0]!;
  const mutators = consumers.filter((c) => c.capabilities.mutatesData);
  const readers = consumers.filter((c) => !c.capabilities.mutatesData);
  const capabilities: Capabilities = { mutatesData: false };
  return {
    capabilities,
    async consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
      const jobs: Array<[SignalConsumer<S>, SignalData[S]]> = [];
      mutators.forEach((c, i) => {
        const own = readers.length === 0 && i === mutators.length - 1 ? data : cloneData(signal, data);
        jobs.push([c, own]);
      });
      for (const c of readers) jobs.push([c, data]);
      const results = await Promise.allSettled(jobs.map(([c, d]) => c.consume(d, ctx)));
      let worst: ConsumerError | undefined;
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        const e = asConsumerError(r.reason);
        if (!worst || RANK[e.kind] > RANK[worst.kind]) worst = e;
      }
      if (worst) throw worst;
    },
  };
}
