// dns_sd_configs against a real DNS server on loopback (a small UDP responder
// speaking the DNS wire format, as Node's resolver queries it): SRV and A
// records become targets with Prometheus's __meta_dns_* labels, which relabel
// into target labels, and the targets are scraped.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import type { PromWrite } from '../../../src/pdata/proto.js';
import { waitFor } from '../../helpers/prometheus.js';
import { FixtureTarget } from '../../helpers/scrapetarget.js';
import { sinkExporterFactory, type SinkConsumer } from '../../helpers/sink.js';
import { factoriesByKind, FACTORIES } from '../../../src/components.js';

let dns: Socket;
let dnsPort = 0;
let target: FixtureTarget;

function name(buf: Buffer, off: number): [string, number] {
  const parts: string[] = [];
  while (buf[off]! > 0) {
    parts.push(buf.subarray(off + 1, off + 1 + buf[off]!).toString());
    off += buf[off]! + 1;
  }
  return [parts.join('.'), off + 1];
}

function encName(n: string): Buffer {
  return Buffer.concat([...n.split('.').filter(Boolean).map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
}

/** Answers SRV for _metrics._tcp.test (two targets on 127.0.0.1 at the fixture port) and A for hosts.test. */
function answer(q: Buffer): Buffer {
  const [qname, end] = name(q, 12);
  const qtype = q.readUInt16BE(end);
  const question = q.subarray(12, end + 4);
  const rrs: Buffer[] = [];
  const rr = (type: number, data: Buffer) => {
    const h = Buffer.alloc(10);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(1, 2);
    h.writeUInt32BE(30, 4);
    h.writeUInt16BE(data.length, 8);
    rrs.push(Buffer.concat([Buffer.from([0xc0, 12]), h, data]));
  };
  if (qtype === 33 && qname === '_metrics._tcp.test') {
    for (const host of ['127.0.0.1', 'localhost']) {
      const d = Buffer.alloc(6);
      d.writeUInt16BE(10, 0);
      d.writeUInt16BE(5, 2);
      d.writeUInt16BE(target.port, 4);
      rr(33, Buffer.concat([d, encName(host)]));
    }
  } else if (qtype === 1 && qname === 'hosts.test') {
    rr(1, Buffer.from([127, 0, 0, 1]));
  }
  const hdr = Buffer.alloc(12);
  q.copy(hdr, 0, 0, 2);
  hdr.writeUInt16BE(0x8180, 2);
  hdr.writeUInt16BE(1, 4);
  hdr.writeUInt16BE(rrs.length, 6);
  return Buffer.concat([hdr, question, ...rrs]);
}

before(async () => {
  target = await FixtureTarget.start({ body: '# TYPE dns_fx gauge\ndns_fx 1\n' });
  dns = createSocket('udp4');
  dns.on('message', (m, r) => dns.send(answer(m), r.port, r.address));
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
  dnsPort = dns.address().port;
});

after(async () => {
  dns?.close();
  await target?.stop();
});

test('SRV and A records become scraped targets with __meta_dns_* labels', async () => {
  const sinks = sinkExporterFactory();
  const svc = new Service(
    {
      receivers: {
        prometheus: {
          dns_servers: [`127.0.0.1:${dnsPort}`],
          config: {
            scrape_configs: [
              {
                job_name: 'srv',
                scrape_interval: '1s',
                dns_sd_configs: [{ names: ['_metrics._tcp.test'], refresh_interval: '1s' }],
                relabel_configs: [
                  { source_labels: ['__meta_dns_srv_record_target'], target_label: 'srv_target' },
                  { source_labels: ['__meta_dns_name'], target_label: 'dns_name' },
                ],
              },
              { job_name: 'a', scrape_interval: '1s', dns_sd_configs: [{ names: ['hosts.test'], type: 'A', port: target.port }] },
            ],
          },
        },
      },
      exporters: { testsink: {} },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { metrics: { receivers: ['prometheus'], exporters: ['testsink'] } } },
    },
    { logger: silentLogger(), factories: factoriesByKind([...FACTORIES, sinks]) },
  );
  await svc.start();
  const sink = sinks.sinks.get('testsink/metrics') as SinkConsumer<{ format: 'prw'; request: PromWrite }>;
  try {
    const ups = () =>
      new Set(
        sink.calls.flatMap((c) =>
          c.data.request.timeseries!.filter((s) => s.labels!.some((l) => l.name === '__name__' && l.value === 'up') && s.samples![0]!.value === 1).map((s) => s.labels!.filter((l) => l.name !== '__name__').map((l) => `${l.name}=${l.value}`).join(',')),
        ),
      );
    await waitFor('three targets up', async () => ups().size === 3, 15_000);
    assert.deepEqual([...ups()].sort(), [
      `dns_name=_metrics._tcp.test,instance=127.0.0.1:${target.port},job=srv,srv_target=127.0.0.1`,
      `dns_name=_metrics._tcp.test,instance=localhost:${target.port},job=srv,srv_target=localhost`,
      `instance=127.0.0.1:${target.port},job=a`,
    ]);
  } finally {
    await svc.shutdown();
  }
});
