import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { bitString, explicit, integer, nullValue, objectIdentifier, octetString, sequence, set, time, tlv, utf8String } from './der.ts';

export interface SelfSignedCertificate {
  /** PEM of the certificate (public part: what is uploaded to an app registration or served by TLS). */
  certPem: string;
  /** PKCS#8 PEM of the private key. */
  keyPem: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` JWT header. */
  x5tS256: string;
  /** base64url SHA-1 of the DER certificate: the older `x5t` JWT header. */
  x5t: string;
  /** Upper-case hex SHA-1, as Entra and Windows show a certificate's thumbprint. */
  thumbprintSha1Hex: string;
}

export interface CertificateOptions {
  commonName?: string;
  /** Subject alternative names so TLS clients that do check the name accept localhost. */
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Reuse an existing RSA key instead of generating one. */
  privateKey?: KeyObject;
}

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

function subjectAltNames(dnsNames: string[], ipAddresses: string[]): Buffer {
  const names = [
    ...dnsNames.map((name) => tlv(0x82, Buffer.from(name))),
    ...ipAddresses.map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  ];
  return sequence(objectIdentifier('2.5.29.17'), octetString(sequence(...names)));
}

/** Builds an RSA-2048 self-signed X.509 v3 certificate with node:crypto only. */
export function createSelfSignedCertificate(options: CertificateOptions = {}): SelfSignedCertificate {
  const privateKey = options.privateKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicKeyDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const name = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String(options.commonName ?? 'UCR Manager simulator'))));
  const algorithm = sequence(objectIdentifier(SHA256_WITH_RSA), nullValue());
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 24 * 3600_000);
  const extensions = explicit(3, sequence(subjectAltNames(options.dnsNames ?? ['localhost'], options.ipAddresses ?? ['127.0.0.1'])));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKeyDer,
    extensions,
  );
  const der = sequence(tbs, algorithm, bitString(sign('sha256', tbs, privateKey)));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
    certificate: new X509Certificate(certPem),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    x5t: createHash('sha1').update(der).digest('base64url'),
    thumbprintSha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
  };
}

/** Thumbprints of an already-parsed certificate, as a JWT header names them. */
export function certificateThumbprints(certificate: X509Certificate): { x5tS256: string; x5t: string } {
  return {
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
  };
}
