// A dcgm-exporter page for a replica's GPUs: utilization follows the replica's
// load, framebuffer holds the weights plus the KV cache in use, power and
// temperature follow utilization, energy integrates power. FB_TOTAL is not
// exposed (it is not a default dcgm-exporter counter).
import { createHash } from 'node:crypto';
import { fmt } from './histogram.js';
import type { ReplicaState } from './replica.js';

export interface GpuHost {
  host: string;
  gpuModel: string;
  gpus: number;
  /** `Hostname` (dcgm-exporter before 3.3) or `hostname` (newer). */
  hostnameLabel: 'Hostname' | 'hostname';
}

/** Framebuffer MiB and board power (W) by GPU family. */
function specs(model: string): { fbMiB: number; idleW: number; maxW: number } {
  if (/H200/i.test(model)) return { fbMiB: 143771, idleW: 90, maxW: 700 };
  if (/H100/i.test(model)) return { fbMiB: 81559, idleW: 80, maxW: 700 };
  if (/A100.*40/i.test(model)) return { fbMiB: 40960, idleW: 55, maxW: 400 };
  if (/A100/i.test(model)) return { fbMiB: 81920, idleW: 60, maxW: 400 };
  if (/L4/i.test(model)) return { fbMiB: 23034, idleW: 16, maxW: 72 };
  return { fbMiB: 81920, idleW: 60, maxW: 400 };
}

/** How many requests in flight saturate a replica (busy ratio 1). */
const SATURATION = 16;

export class DcgmPage {
  private energyMj: number[];
  private lastNs: number | undefined;
  private readonly uuids: string[];

  constructor(readonly g: GpuHost) {
    this.energyMj = new Array<number>(g.gpus).fill(0);
    this.uuids = Array.from({ length: g.gpus }, (_, i) => {
      const h = createHash('sha1').update(`${g.host}/${i}`).digest('hex');
      return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    });
  }

  render(st: ReplicaState, nowNs: number): string {
    const sp = specs(this.g.gpuModel);
    const util = Math.min(1, st.running.length / SATURATION);
    const power = sp.idleW + (sp.maxW - sp.idleW) * util;
    if (this.lastNs !== undefined && nowNs > this.lastNs) {
      const dt = (nowNs - this.lastNs) / 1e9;
      this.energyMj = this.energyMj.map((e) => e + power * dt * 1000);
    }
    this.lastNs = nowNs;
    const weights = Math.round(sp.fbMiB * 0.55);
    const reserved = 512;
    const kv = Math.round((sp.fbMiB * 0.4 * Math.min(1, st.kvTokens / (200_000 * this.g.gpus))));
    const used = weights + kv;
    const free = sp.fbMiB - reserved - used;
    const series: Array<[string, string, string, (i: number) => number]> = [
      ['DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).', () => Math.round(util * 100)],
      ['DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).', () => free],
      ['DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).', () => used],
      ['DCGM_FI_DEV_FB_RESERVED', 'gauge', 'Framebuffer memory reserved (in MiB).', () => reserved],
      ['DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).', () => Math.round(35 + 45 * util)],
      ['DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).', () => Number(power.toFixed(3))],
      ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'counter', 'Total energy consumption since boot (in mJ).', (i) => Math.round(this.energyMj[i]!)],
      ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'gauge', 'Ratio of time the graphics engine is active.', () => Number((util * 0.95).toFixed(6))],
      ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'gauge', 'Ratio of cycles the tensor (HMMA) pipe is active.', () => Number((util * 0.6).toFixed(6))],
    ];
    let out = '';
    for (const [name, type, help, value] of series) {
      out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
      for (let i = 0; i < this.g.gpus; i++) {
        out += `${name}{gpu="${i}",UUID="${this.uuids[i]}",device="nvidia${i}",modelName="${this.g.gpuModel}",${this.g.hostnameLabel}="${this.g.host}",DCGM_FI_DRIVER_VERSION="550.90.07"} ${fmt(value(i))}\n`;
      }
    }
    return out;
  }
}
