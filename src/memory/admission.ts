// Admission control: one budget of request bytes in flight, shared by every
// receiver of the process. A request takes bytes from it as its body arrives
// and, for compressed bodies, as it inflates (so compression cannot multiply
// what a few clients cost), and gives them back once it is answered. Past the
// budget the request is refused at once with a retryable answer (429 /
// RESOURCE_EXHAUSTED with Retry-After) and stops being read. The bytes held
// are the `inflight` account of MemoryAccounting, which the memory_limiter
// counts; while a memory_limiter refuses data, requests are refused at the
// door too, before their body is read.
import { ErrorCode } from '../errors/codes.js';
import type { MemoryAccounting } from './accounting.js';

/** The account in-flight request bytes are kept in. */
export const INFLIGHT = 'inflight';

/**
 * What a request costs once read, per byte of its decompressed body, so a
 * reservation made before the work bounds what it allocates. Measured (Node
 * 20, heap growth after GC per body byte) when requests were decoded into
 * objects: remote-write 5.8 (100k series), OTLP protobuf 4.6 (20k LLM spans;
 * bytes fields stay views of the body), OTLP JSON 2.1 (JSON.parse's tree comes
 * and goes on top). Remote-write is now scanned and indexed, not decoded (the
 * decompressed bytes plus an index): 2. OTLP protobuf is scanned too, but the
 * processors of most pipelines (redaction, genai) decode it while the request
 * is in flight: kept at 5.
 */
export const DECODED_FACTOR = { prw: 2, otlp_proto: 5, otlp_json: 3 } as const;

/** The automatic budget: an eighth of the memory the process may use, within 16–256 MiB. */
export function automaticBudget(totalMemory: number): number {
  return Math.min(256 * 1024 * 1024, Math.max(16 * 1024 * 1024, Math.floor(totalMemory / 8)));
}

const MIB = 1024 * 1024;

/** Why a request was not admitted, for the receiver's answer. */
export interface AdmissionRefusal {
  /** TG_ADMISSION_LIMIT (throttled: 429 / RESOURCE_EXHAUSTED) or TG_MEMORY_LIMIT (retryable: 503 / UNAVAILABLE). */
  readonly code: typeof ErrorCode.ADMISSION_LIMIT | typeof ErrorCode.MEMORY_LIMIT;
  readonly message: string;
  /** Delay the client is asked to wait. */
  readonly retryAfterMs: number;
  /** The request alone is larger than the whole budget: waiting cannot help (413). */
  readonly tooLarge?: boolean;
}

/** What a memory_limiter tells the door: whether data is refused now. */
export interface MemoryGate {
  readonly limited: boolean;
  readonly id: string;
}

export class Admission {
  private limit = 0;
  private retryAfterMs = 1000;
  private readonly gates = new Set<MemoryGate>();
  private refusedCount = 0;

  constructor(private readonly accounting: MemoryAccounting) {}

  /** Sets the budget in bytes (0: no budget) and the delay refused clients are asked to wait. */
  configure(limitBytes: number, retryAfterMs = 1000): void {
    this.limit = limitBytes;
    this.retryAfterMs = retryAfterMs;
  }

  get limitBytes(): number {
    return this.limit;
  }

  /** Bytes held by requests in flight now. */
  get inflight(): number {
    return this.accounting.get(INFLIGHT);
  }

  /** Requests refused so far (budget or memory). */
  get refused(): number {
    return this.refusedCount;
  }

  /** A memory_limiter registers itself, so requests are refused at the door while it refuses. */
  addGate(g: MemoryGate): () => void {
    this.gates.add(g);
    return () => this.gates.delete(g);
  }

  /**
   * The refusal a new request gets before anything of it is read: memory is
   * too high, or the budget is already spent. For transports that buffer a
   * message before the handler sees it (gRPC), checked when the call starts.
   */
  atDoor(): AdmissionRefusal | undefined {
    const r = this.open();
    if (isRefusal(r)) return r;
    if (this.limit > 0 && this.accounting.get(INFLIGHT) >= this.limit) return this.overBudget(0, 0);
    return undefined;
  }

  /** A new request: a ticket to take bytes with, or the refusal when memory is already too high. */
  open(): AdmissionTicket | AdmissionRefusal {
    for (const g of this.gates) {
      if (g.limited) {
        this.refusedCount++;
        return {
          code: ErrorCode.MEMORY_LIMIT,
          message: `${ErrorCode.MEMORY_LIMIT}: data refused due to high memory usage (processor ${g.id}); retry later`,
          retryAfterMs: this.retryAfterMs,
        };
      }
    }
    return new AdmissionTicket(this);
  }

  /** @internal Takes `n` bytes if the budget has room. */
  take(n: number): boolean {
    if (this.limit > 0 && this.accounting.get(INFLIGHT) + n > this.limit) return false;
    this.accounting.add(INFLIGHT, n);
    return true;
  }

  /** @internal */
  give(n: number): void {
    this.accounting.add(INFLIGHT, -n);
  }

  /** @internal The refusal of a request that would pass the budget. */
  overBudget(held: number, wanted: number): AdmissionRefusal {
    this.refusedCount++;
    if (held + wanted > this.limit) {
      return {
        code: ErrorCode.ADMISSION_LIMIT,
        message: `${ErrorCode.ADMISSION_LIMIT}: this request alone needs more than the ${mib(this.limit)} MiB admission budget (service.admission.request_limit_mib)`,
        retryAfterMs: this.retryAfterMs,
        tooLarge: true,
      };
    }
    return {
      code: ErrorCode.ADMISSION_LIMIT,
      message: `${ErrorCode.ADMISSION_LIMIT}: requests in flight hold ${mib(this.inflight)} MiB of the ${mib(this.limit)} MiB admission budget (service.admission.request_limit_mib); this request needed ${mib(held + wanted)} MiB; retry later`,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** The bytes one request holds; release() exactly once, when it is answered. */
export class AdmissionTicket {
  private held = 0;
  private released = false;

  constructor(private readonly owner: Admission) {}

  /** Takes `n` more bytes; the refusal when the budget has no room (nothing is taken then). */
  add(n: number): AdmissionRefusal | undefined {
    if (this.released) return undefined;
    if (!this.owner.take(n)) return this.owner.overBudget(this.held, n);
    this.held += n;
    return undefined;
  }

  /** Gives back `n` bytes early (a compressed chunk once it was inflated). */
  drop(n: number): void {
    const k = Math.min(n, this.held);
    this.held -= k;
    this.owner.give(k);
  }

  get bytes(): number {
    return this.held;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.give(this.held);
    this.held = 0;
  }
}

export function isRefusal(x: AdmissionTicket | AdmissionRefusal): x is AdmissionRefusal {
  return !(x instanceof AdmissionTicket);
}

function mib(b: number): number {
  return Math.round((b / MIB) * 10) / 10;
}
