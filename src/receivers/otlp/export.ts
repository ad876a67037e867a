// The transport-independent half of an Export call: count, hand to the
// pipeline, and turn the outcome into success, partial success or a refusal.
import type { Logger } from 'pino';
import type { RequestContext } from '../../component/context.js';
import type { SignalConsumer } from '../../component/consumer.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { ErrorCode } from '../../errors/codes.js';
import { asConsumerError } from '../../errors/consumererror.js';
import type { Admission } from '../../memory/admission.js';
import { countItems } from '../../pdata/count.js';
import type { ReceiverTelemetry, SelfTelemetry } from '../../telemetry/selftelemetry.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { refusalOf, type Refusal } from './status.js';

export type Transport = 'grpc' | 'http';

export type ExportResult =
  /** Accepted; `rejected` > 0 means partial success (the rest was refused for good). */
  | { ok: true; rejected: number; message: string }
  | { ok: false; refusal: Refusal };

const ACCEPTED: ExportResult = Object.freeze({ ok: true, rejected: 0, message: '' });

export class ExportCore {
  readonly consumers: { [S in Signal]?: SignalConsumer<S> } = {};
  private readonly tel: Record<Transport, ReceiverTelemetry>;
  private readonly report: Reporter;
  /** The process-wide admission budget requests take their bytes from. */
  readonly admission: Admission;

  constructor(
    readonly id: string,
    logger: Logger,
    telemetry: SelfTelemetry,
  ) {
    this.tel = { grpc: telemetry.receiver(id, 'grpc'), http: telemetry.receiver(id, 'http') };
    this.report = createReporter({ id, logger, telemetry }, { burst: 10 });
    this.admission = telemetry.admission;
  }

  /** A connection a listener limit closed or refused (slow client, connection cap): counted and logged. */
  closedConnection(transport: Transport, reason: string): void {
    this.tel[transport].closedConnection(reason);
    this.report.problem('warn', `closed:${reason}`, undefined, { code: reason === 'connection_limit' ? 'connection_limit' : ErrorCode.SLOW_CLIENT, transport, reason }, 'connection closed by a listener limit');
  }

  /** A request refused for its credentials: counted and logged without detail. */
  authFailed(transport: Transport, signal: Signal | undefined, status: string): void {
    this.tel[transport].authFailure();
    this.tel[transport].failedRequest(status);
    this.report.problem('warn', ErrorCode.UNAUTHENTICATED, undefined, { code: ErrorCode.UNAUTHENTICATED, signal, transport, status }, 'request refused: missing or invalid credentials');
  }

  has(signal: Signal): boolean {
    return this.consumers[signal] !== undefined;
  }

  async export<S extends Signal>(signal: S, transport: Transport, data: SignalData[S], ctx: RequestContext): Promise<ExportResult> {
    const items = countItems(signal, data);
    // As the collector: an empty request is a success and never reaches the pipeline.
    if (items === 0) return ACCEPTED;
    const tel = this.tel[transport];
    try {
      await (this.consumers[signal] as SignalConsumer<S>).consume(data, ctx);
      tel.accepted(signal, items);
      return ACCEPTED;
    } catch (e) {
      const err = asConsumerError(e);
      const rejected = err.rejectedItems;
      if (err.kind === 'permanent' && rejected !== undefined && rejected > 0 && rejected < items) {
        // Part of the request was refused for good: the client must not resend
        // the rest, so this is a success that says what was rejected.
        tel.accepted(signal, items - rejected);
        tel.refused(signal, rejected);
        const message = `${err.code}: ${err.message}`;
        this.report.problem('warn', err.code, err, { code: err.code, signal, transport, items, rejected }, 'part of a request was refused');
        return { ok: true, rejected, message };
      }
      tel.refused(signal, items);
      const refusal = refusalOf(err);
      this.report.problem('warn', err.code, err, { code: err.code, signal, transport, items, grpc_code: refusal.code }, 'request refused by the pipeline');
      return { ok: false, refusal };
    }
  }

  /** A request refused before reaching the pipeline (bad input, size limit): counted and logged. */
  refusedInput(transport: Transport, signal: Signal | undefined, refusal: Refusal, status: string): void {
    this.tel[transport].failedRequest(status);
    // No exception behind a refused input: its answer's text stands in `err`, as errors do elsewhere.
    this.report.problem('warn', refusal.reason, { message: refusal.message }, { code: refusal.reason, signal, transport, status }, 'request refused');
  }

  /** Counts a pipeline refusal's answer by status (pipeline refusals are already logged in export()). */
  failed(transport: Transport, status: string): void {
    this.tel[transport].failedRequest(status);
  }
}
