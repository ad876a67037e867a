// dns_sd_configs: SRV, A or AAAA lookups of each name every refresh_interval,
// with Prometheus's __meta_dns_* labels. A failed lookup keeps the name's
// previous targets and is logged.
import { Resolver } from 'node:dns/promises';
import type { TargetGroup } from '../targets.js';
import type { Discoverer } from './provider.js';

export interface DnsOptions {
  names: readonly string[];
  type: 'SRV' | 'A' | 'AAAA';
  port?: number;
  refreshMs: number;
  servers?: readonly string[];
}

export class DnsDiscoverer implements Discoverer {
  private timer: NodeJS.Timeout | undefined;
  private readonly resolver = new Resolver({ timeout: 5000, tries: 2 });
  private readonly last = new Map<string, TargetGroup>();
  private update: ((g: TargetGroup[]) => void) | undefined;
  private lastText = '';

  constructor(
    private readonly o: DnsOptions,
    private readonly onError: (name: string, err: string) => void,
  ) {
    if (o.servers?.length) this.resolver.setServers([...o.servers]);
  }

  start(update: (groups: TargetGroup[]) => void): void {
    this.update = update;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.update = undefined;
    this.resolver.cancel();
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      this.o.names.map(async (name) => {
        try {
          this.last.set(name, { source: name, targets: await this.lookup(name), labels: {} });
        } catch (e) {
          this.onError(name, (e as Error).message);
        }
      }),
    );
    if (!this.update) return;
    const all = [...this.last.values()];
    const text = JSON.stringify(all);
    if (text === this.lastText) return;
    this.lastText = text;
    this.update(all);
  }

  private async lookup(name: string): Promise<Array<Record<string, string>>> {
    if (this.o.type === 'SRV') {
      const recs = await this.resolver.resolveSrv(name);
      return recs.map((r) => {
        const host = r.name.replace(/\.$/, '');
        return {
          __address__: `${host.includes(':') ? `[${host}]` : host}:${r.port}`,
          __meta_dns_name: name,
          __meta_dns_srv_record_target: host,
          __meta_dns_srv_record_port: String(r.port),
        };
      });
    }
    const ips = this.o.type === 'A' ? await this.resolver.resolve4(name) : await this.resolver.resolve6(name);
    return ips.map((ip) => ({ __address__: `${this.o.type === 'AAAA' ? `[${ip}]` : ip}:${this.o.port}`, __meta_dns_name: name }));
  }
}
