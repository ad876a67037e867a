import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import type { TlsClientConfig } from './config.js';

/** PEM material a TLS client config names, read at start so a wrong path fails start with its name. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export async function loadTls(tls: TlsClientConfig | undefined, owner: string): Promise<TlsMaterial> {
  const read = async (key: 'ca_file' | 'cert_file' | 'key_file') => {
    const p = tls?.[key];
    if (!p) return undefined;
    try {
      return await readFile(p);
    } catch (e) {
      throw new Error(`${owner}.tls.${key}: cannot read ${p}: ${(e as Error).message}`);
    }
  };
  const pem = (v: string | undefined) => (v ? Buffer.from(v) : undefined);
  const [caFile, certFile, keyFile] = await Promise.all([read('ca_file'), read('cert_file'), read('key_file')]);
  let ca: Buffer | undefined = caFile ?? pem(tls?.ca_pem);
  const cert = certFile ?? pem(tls?.cert_pem);
  const key = keyFile ?? pem(tls?.key_pem);
  // A CA replaces the system roots unless include_system_ca_certs_pool adds them back.
  if (ca && tls?.include_system_ca_certs_pool) ca = Buffer.concat([ca, Buffer.from(`\n${rootCertificates.join('\n')}\n`)]);
  if ((cert === undefined) !== (key === undefined)) throw new Error(`${owner}.tls: cert_file and key_file go together`);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: !(tls?.insecure_skip_verify ?? false),
    ...(tls?.server_name_override ? { servername: tls.server_name_override } : {}),
  };
}
