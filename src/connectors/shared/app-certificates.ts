import { constants, createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export type CertificatePair = { certificatePem: string; privateKeyPem: string };

/** An app that proves itself with a certificate instead of a client secret. */
export type CertificateCredentials = CertificatePair & { clientId: string; kind?: 'certificate' };

/**
 * A new self-signed certificate for app-only sign-in: the private key never leaves UCR Manager;
 * the certificate (public part) is downloaded and uploaded to the app registration in Entra ID.
 */
export function generateAppCertificate(commonName: string, validDays = 730, now = new Date()): CertificatePair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + validDays * 86_400_000);
  const attrs = [{ name: 'commonName', value: commonName.slice(0, 64) }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem };
}

/** Reads an uploaded certificate with its private key: PFX/PKCS#12 (with password) or PEM. */
export function readUploadedCertificate(input: { pfxBase64: string; password?: string | undefined } | { certificatePem: string; privateKeyPem: string }): CertificatePair {
  let pair: CertificatePair;
  if ('pfxBase64' in input) {
    let p12;
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(input.pfxBase64)), input.password ?? '');
    } catch {
      throw new Error('The PFX file could not be opened: check the file and its password.');
    }
    const firstBag = (bagType: string) => p12.getBags({ bagType })[bagType]?.[0];
    const certBag = firstBag(forge.pki.oids.certBag!);
    const keyBag = firstBag(forge.pki.oids.pkcs8ShroudedKeyBag!) ?? firstBag(forge.pki.oids.keyBag!);
    if (!certBag?.cert || !keyBag?.key) throw new Error('The PFX file must contain the certificate and its private key.');
    pair = { certificatePem: forge.pki.certificateToPem(certBag.cert), privateKeyPem: forge.pki.privateKeyToPem(keyBag.key) };
  } else {
    pair = { certificatePem: input.certificatePem, privateKeyPem: input.privateKeyPem };
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.certificatePem);
  } catch {
    throw new Error('The certificate is not a valid PEM certificate.');
  }
  let key;
  try {
    key = createPrivateKey(pair.privateKeyPem);
  } catch {
    throw new Error('The private key is not a valid PEM key (unencrypted PKCS#8 or PKCS#1).');
  }
  if (!certificate.checkPrivateKey(key)) throw new Error('The private key does not belong to this certificate.');
  if (new Date(certificate.validTo) < new Date()) throw new Error(`The certificate expired on ${certificate.validTo}.`);
  return { certificatePem: pair.certificatePem, privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The thumbprints Entra shows and the JWT headers carry. */
export function certificateThumbprints(certificatePem: string) {
  const certificate = new X509Certificate(certificatePem);
  const der = certificate.raw;
  return {
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    x5t: createHash('sha1').update(der).digest('base64url'),
    sha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
    subject: certificate.subject,
    notAfter: new Date(certificate.validTo).toISOString(),
    notBefore: new Date(certificate.validFrom).toISOString(),
  };
}

/**
 * The signed JWT that replaces a client secret (RFC 7523 client assertion), as Microsoft's
 * "Microsoft identity platform application authentication certificate credentials" describes it:
 * header `alg` PS256 (RSA-PSS, "Use PSS padding"), `typ` JWT, `x5t#S256` (SHA-256 thumbprint);
 * claims `aud` = `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token` (the token
 * endpoint with the tenant id, which GraphClient resolves from a domain first), `iss` = `sub` =
 * the client id, a fresh `jti`, `nbf`/`iat` now and `exp` 10 minutes later at most.
 */
export function clientAssertion(credentials: CertificateCredentials, tokenUrl: string, now = new Date()): string {
  const prints = certificateThumbprints(credentials.certificatePem);
  const header = { alg: 'PS256', typ: 'JWT', 'x5t#S256': prints.x5tS256 };
  const issuedAt = Math.floor(now.getTime() / 1000);
  const payload = { aud: tokenUrl, iss: credentials.clientId, sub: credentials.clientId, jti: randomUUID(), nbf: issuedAt, iat: issuedAt, exp: issuedAt + 600 };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const key = { key: createPrivateKey(credentials.privateKeyPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  const signature = sign('sha256', Buffer.from(signingInput), key).toString('base64url');
  return `${signingInput}.${signature}`;
}
