import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  /** PEM file paths. */
  readonly key: string;
  readonly cert: string;
}

/** A self-signed P-256 certificate for 127.0.0.1, made with openssl in `dir`. */
export function selfSignedCert(dir: string): Certificate {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

/** The PEM texts of a fresh self-signed certificate for 127.0.0.1. */
export function selfSignedPem(): { key: string; cert: string } {
  const files = selfSignedCert(mkdtempSync(join(tmpdir(), 'tokenswap-cert-')));
  return { key: readFileSync(files.key, 'utf8'), cert: readFileSync(files.cert, 'utf8') };
}
